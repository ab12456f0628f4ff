/**
 * Writes remote changes into the library: content goes to a temporary file beside the target,
 * is fsynced, the local file is re-checked (if it changed since the scan, that is a local edit:
 * it is kept and becomes a version next round), then renamed into place. Deleted files go to
 * `.syncacross/trash/` rather than away. Nothing is written, renamed or removed through a
 * symbolic link (safe-paths.ts): such a path fails alone, with a PathError.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, fsync, lstatSync, openSync, renameSync, statSync, unlinkSync, utimesSync } from 'node:fs';
import { lstat, mkdir, readdir, rename, rmdir, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { GatheredWrites } from './gathered-writes.js';
import { abortPoint } from '../model/abort.js';
import { StorageError } from '../storage/errors.js';
import type { HashedVersion } from '../model/version.js';
import { ensureFolder, ensureParents, onlyInTheCache, PathError, removeCreated, unsafeParent } from './safe-paths.js';
import { sameStat, type StatLike } from './scan.js';
import { applySqlite, looksLikeSqlite } from './sqlite-snapshot.js';
import type { LocalRecord } from './state.js';

/** Where the bytes of a version's chunks come from (the engine's fetcher, or a local copy). */
export interface ChunkSource {
  get(hash: string): Promise<Uint8Array>;
  /** A chunk `get` gave is written, and no view of it is kept (chunk-fetcher.ts). */
  release?(chunk: Uint8Array): void;
}

const fsyncAsync = promisify(fsync);

// A temporary file's name: one random token per process and a counter, where six random bytes per
// file cost a restore of the benchmark library 80 ms of its main thread (randomFillSync, 5,300
// files). As unique: the pid and the token tell processes apart (on machines sharing a folder too),
// the counter files; and the file is created exclusively ('wx') whatever its name.
const TEMPORARY_TOKEN = randomBytes(6).toString('hex');
let temporaries = 0;
const temporaryName = () => `.${TEMPORARY_TOKEN}${(temporaries++).toString(36)}.syncacross-tmp-${process.pid}`;

export type { StatLike } from './scan.js';

// Per-file metadata calls here are synchronous on purpose (as in the scan): each is a few
// microseconds, while a thread-pool round trip costs tens, and a round makes several per file.
export async function statOf(path: string): Promise<StatLike | undefined> {
  const s = lstatSync(path, { throwIfNoEntry: false });
  if (!s) return undefined;
  const wal = statSync(`${path}-wal`, { throwIfNoEntry: false });
  if (!wal) return { size: s.size, mtimeMs: s.mtimeMs, ctimeMs: s.ctimeMs, ino: s.ino };
  return { size: s.size + wal.size, mtimeMs: Math.max(s.mtimeMs, wal.mtimeMs), ctimeMs: Math.max(s.ctimeMs, wal.ctimeMs), ino: s.ino };
}

/** The local file is as we last recorded it (or absent, when we have no record). */
export async function unchangedSince(path: string, record: LocalRecord | undefined): Promise<boolean> {
  return unchangedStat(path, await statOf(path), record);
}

/** `unchangedSince` for a stat already taken (`statOf`). */
function unchangedStat(path: string, s: StatLike | undefined, record: LocalRecord | undefined): boolean {
  if (!record) return s === undefined || onlyInTheCache(path);
  if (!s) return false;
  return record.mtimeMs === 0 && record.size === 0 ? true : sameStat(s, record);
}

export async function writeVersion(
  root: string,
  diskPath: string,
  v: HashedVersion,
  fetcher: ChunkSource,
  record: LocalRecord | undefined,
  stagingDir: string,
  signal?: AbortSignal,
): Promise<StatLike | 'local-edit'> {
  void stagingDir;
  const target = join(root, diskPath);
  if (v.kind === 'dir') {
    ensureFolder(root, diskPath);
    return { size: 0, mtimeMs: 0, ctimeMs: 0, ino: lstatSync(target).ino };
  }
  const created = ensureParents(root, diskPath);
  try {
    return await writeFileVersion(root, diskPath, v, fetcher, record, signal);
  } catch (e) {
    removeCreated(root, created);
    throw e;
  }
}

async function writeFileVersion(root: string, diskPath: string, v: HashedVersion, fetcher: ChunkSource, record: LocalRecord | undefined, signal?: AbortSignal): Promise<StatLike | 'local-edit'> {
  const target = join(root, diskPath);
  // What stands at the name itself is replaced only if it is a file (rename would replace a link
  // itself, not follow it, but the link is the user's: it is left alone and reported).
  const there = lstatSync(target, { throwIfNoEntry: false });
  if (there?.isSymbolicLink()) throw new PathError('TargetIsLink', diskPath, `${diskPath} is a symbolic link on this machine: it is left alone`);
  if (there?.isDirectory()) throw new PathError('TargetIsFolder', diskPath, `${diskPath} is a folder on this machine`);
  const temp = join(dirname(target), temporaryName());
  let renamed = false;
  try {
    // Chunks arrive asynchronously (they may come over the network); they are written as they
    // come, small ones gathered into one write (a database's 4 KiB pages).
    const fd = openSync(temp, 'wx', v.exec ? 0o755 : 0o644);
    try {
      const gathered = new GatheredWrites(fd, fetcher.release && ((c) => fetcher.release!(c)));
      for (const h of v.chunks) {
        await abortPoint(signal); // the temporary file is removed below: nothing half-written stays
        gathered.add(await fetcher.get(h));
      }
      gathered.flush();
      // What was written, not what was fetched: a chunk whose buffer went back too early reads 0
      // bytes (range-buffers.ts), and such a file fails here rather than being put in place. The
      // caller names the path in its report ("could not restore PATH: …"), as for withSizeCheck.
      if (gathered.total !== v.size) throw new StorageError('Corrupt', `${gathered.total} bytes were written where its version has ${v.size}`);
      // On the thread pool: the files written beside this one (write-versions.ts) go on meanwhile.
      await fsyncAsync(fd);
    } finally {
      closeSync(fd);
    }
    const existing = await statOf(target);
    if (!unchangedStat(target, existing, record)) return 'local-edit';
    if (v.kind === 'sqlite' && existing && (await looksLikeSqlite(target))) {
      await applySqlite(temp, target); // through SQLite: open connections see a consistent switch
    } else {
      chmodSync(temp, v.exec ? 0o755 : 0o644);
      utimesSync(temp, new Date(v.mtime), new Date(v.mtime));
      renameSync(temp, target);
      renamed = true;
    }
  } finally {
    // A failed download never leaves a partial file behind.
    if (!renamed) {
      try {
        unlinkSync(temp);
      } catch {
        // never created, or already gone
      }
    }
  }
  return (await statOf(target))!;
}

/** Moves a file the remote deleted into the trash, if it is still what we recorded. */
export async function trashFile(root: string, diskPath: string, record: LocalRecord, trashDir: string): Promise<boolean> {
  const target = join(root, diskPath);
  const unsafe = unsafeParent(root, diskPath);
  if (unsafe) throw unsafe;
  if (!(await unchangedSince(target, record))) return false;
  const s = await statOf(target);
  if (!s) return true;
  const st = await lstat(target);
  // Only a folder's record matches a link (a folder entry's record holds no stat): the user put a
  // link where the folder was. The entry is gone; the link is the user's, and what it hides is not
  // gone either: it stays, only the record goes (removing it would make the files behind it deletes).
  if (st.isSymbolicLink()) return true;
  if (st.isDirectory()) {
    await rmdir(target).catch(() => undefined); // only if empty
    return true;
  }
  const dest = join(trashDir, diskPath);
  await mkdir(dirname(dest), { recursive: true });
  await rename(target, dest).catch(async () => unlink(target));
  return true;
}

/** Removes folders left empty by deletes, up to the library root, except those kept as entries. */
export async function pruneEmptyParents(root: string, diskPath: string, keep: (dir: string) => boolean): Promise<void> {
  let dir = dirname(diskPath);
  while (dir !== '.' && dir !== '') {
    if (keep(dir)) return;
    const abs = join(root, dir);
    // Only real folders, reached through real folders: never empty a folder a link points to.
    if (!lstatSync(abs, { throwIfNoEntry: false })?.isDirectory() || unsafeParent(root, dir)) return;
    const left = await readdir(abs).catch(() => ['?']);
    if (left.length > 0) return;
    await rmdir(abs).catch(() => undefined);
    dir = dirname(dir);
  }
}
