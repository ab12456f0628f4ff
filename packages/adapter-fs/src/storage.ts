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
import { mkdir, readdir, rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Storage, StorageCapabilities } from '@syncacross/sync-core';
import { pathOf, type FsContext, type PublishMode } from './context.js';
import { fsError, retryTransient } from './errors.js';
import { list } from './list.js';
import { detectPublishMode } from './publish-mode.js';
import { putIfAbsent } from './put.js';
import { get } from './read.js';

export type { PublishMode } from './context.js';

/** What `createFsStorage` takes. */
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

/** Storage in a folder: a local disk, a USB drive, a NAS mount or a cloud-drive folder. */
export async function createFsStorage(options: FsStorageOptions): Promise<FsStorage> {
  const root = options.root;
  if (options.createRoot) await mkdir(root, { recursive: true }).catch((e) => Promise.reject(fsError(e, `create ${root}`)));
  let mode: Promise<PublishMode> | undefined = options.publish && options.publish !== 'auto' ? Promise.resolve(options.publish) : undefined;
  const ctx: FsContext = {
    root,
    tempDir: join(root, TEMP_DIR),
    doFsync: options.fsync ?? true,
    // A failed probe is forgotten, so that the next write probes again.
    publishMode: () => (mode ??= detectPublishMode(ctx).catch((e) => ((mode = undefined), Promise.reject(e)))),
  };
  // Capabilities are synchronous in the contract; decide the publish mode now when possible.
  const caps = await capabilities(ctx).catch((): StorageCapabilities => ({
    atomicCreate: false,
    compareAndSwap: false,
    rangedGet: true,
    consistentListing: true,
    delete: true,
    maxObjectSize: 1024 * 1024 * 1024,
    caseInsensitiveNames: false,
    sortedListing: true,
    cheapRequests: true,
  }));
  return {
    name: `fs:${root}`,
    capabilities: caps,
    publishMode: ctx.publishMode,
    putIfAbsent: (key, bytes) => putIfAbsent(ctx, key, bytes),
    get: (key, opts) => get(ctx, key, opts),
    list: (prefix, opts) => list(ctx, prefix, opts),
    delete: (key) => deleteObject(ctx, key),
  };
}

async function capabilities(ctx: FsContext): Promise<StorageCapabilities> {
  return {
    atomicCreate: (await ctx.publishMode()) === 'link',
    compareAndSwap: false,
    rangedGet: true,
    consistentListing: true,
    delete: true,
    maxObjectSize: 1024 * 1024 * 1024,
    caseInsensitiveNames: false, // names are encoded so case folding cannot collide
    sortedListing: true,
    cheapRequests: true, // a read is a system call (a mounted share's client does the round trips)
  };
}

async function deleteObject(ctx: FsContext, key: string): Promise<void> {
  try {
    await retryTransient(() => unlink(pathOf(ctx, key)));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return;
    throw fsError(e, `delete ${key}`);
  }
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
