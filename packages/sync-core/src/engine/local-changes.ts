/**
 * Turns what the scanner found into versions. A file is staged (chunked, hashed, its new chunks
 * handed to the pack writer) from one read, so what is uploaded is exactly what was hashed; a
 * file that changed while being read is left for the next round, never uploaded half-old,
 * half-new. Live SQLite databases are staged from a snapshot taken through SQLite.
 */
import { randomBytes } from 'node:crypto';
import { lstatSync } from 'node:fs';
import { mkdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { chunkFile, isFileChanged, isLocalReadError, isSqliteFile, type ChunkFileOptions, type ReadBuffer } from '../local/chunk-file.js';
import { isGone, isPathsOwn } from '../local/path-errors.js';
import { effectiveStat, sameStat, type DiskEntry } from '../local/scan.js';
import { looksLikeSqlite, snapshotSqlite } from '../local/sqlite-snapshot.js';
import type { ChunkingParams } from '../model/chunker.js';
import { sha256 } from '../model/hashing.js';
import type { PackWriter } from './packs.js';
import type { EntryKind } from '../model/version.js';

export interface StagedContent {
  kind: EntryKind;
  chunks: string[];
  size: number;
  newBytes: number;
}

/** Why a file was left for a later round (a person reads it: "skipped <path>: <reason>"). */
export interface Unstable {
  unstable: string;
}

/** How files are staged: `reads` (whose `released` is the pack writer's `chunksCopied`) is shared by every file of a scan. */
export interface StageOptions {
  chunking: ChunkingParams;
  signal?: AbortSignal;
  reads?: ReadBuffer;
}

export async function stageFile(root: string, entry: DiskEntry, packs: PackWriter, stagingDir: string, { chunking, signal, reads }: StageOptions): Promise<StagedContent | Unstable> {
  const abs = join(root, entry.diskPath);
  const before = await effectiveStat(root, entry);
  let snapshot: string | undefined;
  try {
    let staged: ChunksOf;
    try {
      // The file itself, unless its first read shows a live database: then a snapshot of it.
      staged = await chunksOf(abs, packs, chunking, { signal, stopAtSqlite: true, reads });
    } catch (e) {
      if (!isSqliteFile(e)) throw e;
      snapshot = join(stagingDir, `${randomBytes(8).toString('hex')}.db`);
      if (!(await takeSnapshot(abs, stagingDir, snapshot))) return { unstable: 'the database could not be read consistently (locked?); left for the next sync' };
      staged = await chunksOf(snapshot, packs, chunking, { signal, reads });
    }
    if ('unstable' in staged) return staged;
    if (!snapshot) {
      const s = lstatSync(abs, { throwIfNoEntry: false }); // synchronous, like the scan's stats
      if (!s) return REMOVED;
      const after = await effectiveStat(root, { ...entry, size: s.size, mtimeMs: s.mtimeMs, ctimeMs: s.ctimeMs, ino: s.ino });
      if (!sameStat(before, after) || staged.size !== s.size) return { unstable: 'it changed while being read; left for the next sync' };
    }
    return { kind: snapshot ? 'sqlite' : 'file', ...staged };
  } catch (e) {
    // The file's own read errors name it; out of file handles or memory, the round ends.
    if (isLocalReadError(e) && isPathsOwn(e)) return unreadable(e);
    throw e;
  } finally {
    if (snapshot) await unlink(snapshot).catch(() => undefined);
  }
}

// Removed (or renamed away) between the scan's listing and this read: a temporary file, a save
// that replaces the file. The next round sees what is there then.
const REMOVED: Unstable = { unstable: 'it was removed while being read; left for the next sync' };

/**
 * A file that could not be read is named and left alone; the others sync. An unreadable file
 * (another account's, mode 600, in a shared folder) ended the whole round with EACCES before:
 * nothing synced, exit 1.
 */
export function unreadable(e: NodeJS.ErrnoException): Unstable {
  if (isGone(e.code)) return REMOVED;
  switch (e.code) {
    case 'EACCES':
    case 'EPERM':
      return { unstable: 'it cannot be read (permission denied); it syncs once this account may read it' };
    default:
      // EIO (a bad sector, a share gone), EISDIR, ELOOP…: this file's bytes could not be had; the others may.
      return { unstable: `reading it failed (${e.code ?? e.message}); left for the next sync` };
  }
}

type ChunksOf = Omit<StagedContent, 'kind'> | Unstable;

/** Chunks and hashes `source`, handing new chunks to the pack writer; a file that changed meanwhile is Unstable. */
async function chunksOf(source: string, packs: PackWriter, chunking: ChunkingParams, o: ChunkFileOptions): Promise<ChunksOf> {
  const chunks: string[] = [];
  let size = 0;
  let newBytes = 0;
  try {
    for await (const bytes of chunkFile(source, chunking, o)) {
      const h = sha256(bytes);
      chunks.push(h);
      size += bytes.byteLength;
      // Chunks already packed are content-addressed: a later round's upload reuses them.
      if (await packs.add(h, bytes)) newBytes += bytes.byteLength;
    }
  } catch (e) {
    if (isFileChanged(e)) return { unstable: `${e.message}; left for the next sync` };
    throw e;
  }
  // An exact copy: an array grown by push keeps room for 17 hashes from the first, and a new
  // version holds its list until the scan ends (16 MiB for a first upload of 100,000 small files).
  return { chunks: chunks.slice(), size, newBytes };
}

/** A consistent copy of the live database at `abs`, through SQLite; false if it stayed locked (or is not really a database). */
async function takeSnapshot(abs: string, stagingDir: string, snapshot: string): Promise<boolean> {
  await mkdir(stagingDir, { recursive: true });
  try {
    await snapshotSqlite(abs, snapshot);
    return true;
  } catch {
    return false; // locked for longer than the busy timeout, or not really a database
  }
}

/** The chunk hashes of a local file as it is now (databases through a snapshot), uploading nothing. */
export async function hashLocalContent(abs: string, stagingDir: string, chunking: ChunkingParams): Promise<string[] | undefined> {
  let source = abs;
  let snapshot: string | undefined;
  try {
    if (await looksLikeSqlite(abs)) {
      await mkdir(stagingDir, { recursive: true });
      snapshot = join(stagingDir, `${randomBytes(8).toString('hex')}.db`);
      await snapshotSqlite(abs, snapshot);
      source = snapshot;
    }
    const chunks: string[] = [];
    for await (const bytes of chunkFile(source, chunking)) chunks.push(sha256(bytes));
    return chunks;
  } catch {
    return undefined;
  } finally {
    if (snapshot) await unlink(snapshot).catch(() => undefined);
  }
}
