/**
 * A local or mounted folder as storage: a NAS over SMB/NFS, a USB drive, a cloud drive's
 * mounted folder. Every object is written to a unique temporary file, fsynced, then published:
 * - with `link()` where the file system has hard links: link fails on an existing name, which
 *   makes create-if-absent atomic, and the final name only ever shows a complete file;
 * - with `rename()` where it has not (FAT/exFAT, many FUSE and cloud-drive mounts): still never
 *   a partial file under a final name, but rename replaces, so the look-then-rename is not
 *   atomic and atomic create is declared unsupported.
 * A missing root folder (an unmounted share, an unplugged drive) is `Unavailable`, never "empty".
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { link, mkdir, open, readdir, rename, rm, rmdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { compareKeys, StorageError, type ByteRange, type ListOptions, type ListPage, type ObjectInfo, type PutResult, type Storage, type StorageCapabilities } from '@syncacross/sync-core';
import { fsError, retryTransient } from './errors.js';
import { decodeName, encodeKey } from './names.js';

export type PublishMode = 'link' | 'rename';

export interface FsStorageOptions {
  /** The folder that holds the repository. */
  root: string;
  /** How finished files get their final name. 'auto' (default) tests hard links at first write. */
  publish?: 'auto' | PublishMode;
  /** fsync files and folders before publishing (default true; only turn off for throwaway tests). */
  fsync?: boolean;
  /** Create the root folder if it is missing (default false: a missing root means "not mounted"). */
  createRoot?: boolean;
}

export interface FsStorage extends Storage {
  /** The publish mode in use, once known ('link' means atomic create). */
  publishMode(): Promise<PublishMode>;
}

const TEMP_DIR = '.syncacross-tmp'; // starts with '.', which no encoded name does
// EIO: rclone's FUSE mount answers link() with an I/O error (seen with rclone 1.60 over WebDAV).
const NO_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV', 'EMLINK', 'EINVAL', 'EIO']);

export async function createFsStorage(options: FsStorageOptions): Promise<FsStorage> {
  const root = options.root;
  const doFsync = options.fsync ?? true;
  if (options.createRoot) await mkdir(root, { recursive: true }).catch((e) => Promise.reject(fsError(e, `create ${root}`)));
  const tempDir = join(root, TEMP_DIR);
  let mode: Promise<PublishMode> | undefined = options.publish && options.publish !== 'auto' ? Promise.resolve(options.publish) : undefined;

  async function ensureRoot(what: string): Promise<void> {
    try {
      const s = await stat(root);
      if (!s.isDirectory()) throw new Error('not a directory');
    } catch (e) {
      // Missing or not a folder: asking again in a few seconds will not mount it. EIO, ETIMEDOUT,
      // EHOSTDOWN (a NAS waking up, a stale mount) may recover, and are retried.
      const code = (e as NodeJS.ErrnoException).code;
      const permanent = code === 'ENOENT' || code === 'ENOTDIR' || code === undefined;
      throw new StorageError('Unavailable', `${what}: the folder ${root} is not reachable (not mounted, unplugged, or moved?): ${(e as Error).message}`, { cause: e, permanent });
    }
  }

  async function detectMode(): Promise<PublishMode> {
    await ensureRoot('write');
    // Made here only to look: removed again (if still empty), so opening a folder that turns out
    // not to be a repository (a user's photos) leaves no trace in it.
    const made = await mkdir(tempDir, { recursive: true });
    const a = join(tempDir, `probe-${randomBytes(8).toString('hex')}`);
    await (await open(a, 'wx')).close();
    try {
      await link(a, `${a}-link`);
      await unlink(`${a}-link`);
      return 'link';
    } catch (e) {
      if (NO_LINKS.has((e as NodeJS.ErrnoException).code ?? '')) return 'rename';
      throw fsError(e, `probe hard links in ${root}`);
    } finally {
      await unlink(a).catch(() => undefined);
      if (made !== undefined) await rmdir(tempDir).catch(() => undefined); // not empty: in use
    }
  }
  const publishMode = () => (mode ??= detectMode().catch((e) => ((mode = undefined), Promise.reject(e))));

  const pathOf = (key: string) => join(root, ...encodeKey(key));

  async function writeTemp(bytes: Uint8Array): Promise<string> {
    await mkdir(tempDir, { recursive: true });
    const temp = join(tempDir, `${Date.now()}-${randomBytes(12).toString('hex')}`);
    // Another process's hard-link probe may have just removed the (empty) folder: make it again.
    const fh = await open(temp, 'wx').catch(async (e: NodeJS.ErrnoException) => {
      if (e.code !== 'ENOENT') throw e;
      await mkdir(tempDir, { recursive: true });
      return open(temp, 'wx');
    });
    try {
      await fh.writeFile(bytes);
      if (doFsync) await fh.sync();
    } finally {
      await fh.close();
    }
    return temp;
  }

  async function exists(path: string): Promise<boolean> {
    try {
      await stat(path);
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw e;
    }
  }

  async function fsyncDir(dir: string): Promise<void> {
    if (!doFsync) return;
    const fh = await open(dir, constants.O_RDONLY).catch(() => undefined);
    if (!fh) return;
    await fh.sync().catch(() => undefined); // some file systems refuse fsync on directories
    await fh.close();
  }

  async function publish(temp: string, final: string, how: PublishMode): Promise<PutResult> {
    const parent = final.slice(0, final.lastIndexOf('/'));
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        if (how === 'link') {
          await retryTransient(() => link(temp, final));
        } else {
          if (await exists(final)) return 'exists';
          await retryTransient(() => rename(temp, final));
        }
        await fsyncDir(parent);
        return 'created';
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EEXIST') return 'exists';
        if (code !== 'ENOENT' || attempt > 0) throw e;
        await ensureRoot('write'); // never re-create a missing root below
        await mkdir(parent, { recursive: true });
      }
    }
    throw new StorageError('Unavailable', `could not publish ${final}`);
  }

  const capabilities = async (): Promise<StorageCapabilities> => ({
    atomicCreate: (await publishMode()) === 'link',
    compareAndSwap: false,
    rangedGet: true,
    consistentListing: true,
    delete: true,
    maxObjectSize: 1024 * 1024 * 1024,
    caseInsensitiveNames: false, // names are encoded so case folding cannot collide
    sortedListing: true,
  });
  // Capabilities are synchronous in the contract; decide the publish mode now when possible.
  const caps = await capabilities().catch(
    (): StorageCapabilities => ({ atomicCreate: false, compareAndSwap: false, rangedGet: true, consistentListing: true, delete: true, maxObjectSize: 1024 * 1024 * 1024, caseInsensitiveNames: false, sortedListing: true }),
  );

  async function walk(dir: string, keyPrefix: string, prefix: string, out: ObjectInfo[]): Promise<void> {
    let entries;
    try {
      entries = await retryTransient(() => readdir(dir, { withFileTypes: true }));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return; // the sub-folder is simply empty
      throw fsError(e, `list ${dir}`);
    }
    for (const entry of entries) {
      const segment = decodeName(entry.name);
      if (segment === undefined) continue; // not ours (temp files, OS junk, a user's stray file)
      const key = keyPrefix + segment;
      if (entry.isDirectory()) {
        const sub = `${key}/`;
        if (sub.startsWith(prefix) || prefix.startsWith(sub)) await walk(join(dir, entry.name), sub, prefix, out);
      } else if (entry.isFile() && key.startsWith(prefix)) {
        let s;
        try {
          s = await stat(join(dir, entry.name));
        } catch (e) {
          // Deleted since readdir (another node, a renamed temp): not there, so not listed.
          if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
          throw fsError(e, `stat ${key}`);
        }
        out.push({ key, size: s.size, modified: s.mtime });
      }
    }
  }

  const storage: FsStorage = {
    name: `fs:${root}`,
    capabilities: caps,
    publishMode,

    async putIfAbsent(key: string, bytes: Uint8Array): Promise<PutResult> {
      const how = await publishMode();
      const final = pathOf(key);
      if (how === 'link' && (await exists(final).catch(() => false))) return 'exists'; // cheap early answer
      let temp: string | undefined;
      try {
        temp = await writeTemp(bytes);
        return await publish(temp, final, how);
      } catch (e) {
        throw e instanceof StorageError ? e : fsError(e, `write ${key}`);
      } finally {
        if (temp) await unlink(temp).catch(() => undefined); // after link(); a renamed temp is gone already
      }
    },

    async get(key: string, opts?: { range?: ByteRange }): Promise<Uint8Array> {
      const path = pathOf(key);
      let fh;
      try {
        fh = await retryTransient(() => open(path, 'r'));
      } catch (e) {
        const err = fsError(e, `read ${key}`);
        if (err.code === 'NotFound') await ensureRoot('read');
        throw err;
      }
      try {
        const size = (await fh.stat()).size;
        const offset = Math.min(opts?.range?.offset ?? 0, size);
        const length = Math.min(opts?.range?.length ?? size, size - offset);
        const buffer = Buffer.alloc(length);
        let done = 0;
        while (done < length) {
          const { bytesRead } = await fh.read(buffer, done, length - done, offset + done);
          if (bytesRead === 0) throw new StorageError('Corrupt', `${key}: file shrank while being read`);
          done += bytesRead;
        }
        return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
      } catch (e) {
        throw e instanceof StorageError ? e : fsError(e, `read ${key}`);
      } finally {
        await fh.close();
      }
    },

    async list(prefix: string, opts: ListOptions = {}): Promise<ListPage> {
      await ensureRoot('list');
      const dirKey = prefix.slice(0, prefix.lastIndexOf('/') + 1); // the folder holding the prefix
      const dir = dirKey === '' ? root : join(root, ...encodeKey(dirKey.slice(0, -1)));
      const found: ObjectInfo[] = [];
      await walk(dir, dirKey, prefix, found);
      const after = opts.cursor ?? opts.startAfter;
      const sorted = found.filter((o) => after === undefined || compareKeys(o.key, after) > 0).sort((a, b) => compareKeys(a.key, b.key));
      // A folder has no server-side page limit: return everything unless a page size was asked.
      if (opts.pageSize === undefined || sorted.length <= opts.pageSize) return { objects: sorted };
      const objects = sorted.slice(0, opts.pageSize);
      return { objects, cursor: objects[objects.length - 1]!.key };
    },

    async delete(key: string): Promise<void> {
      try {
        await retryTransient(() => unlink(pathOf(key)));
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'ENOTDIR') return;
        throw fsError(e, `delete ${key}`);
      }
    },
  };
  return storage;
}

/** Removes temporary files older than `maxAgeMs` left by writers that crashed mid-write. */
export async function cleanStaleTemps(root: string, maxAgeMs = 24 * 3600_000): Promise<number> {
  const dir = join(root, TEMP_DIR);
  let removed = 0;
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const born = Number(name.split('-')[0]);
    if (Number.isFinite(born) && Date.now() - born > maxAgeMs) {
      await rm(join(dir, name), { force: true });
      removed++;
    }
  }
  return removed;
}
