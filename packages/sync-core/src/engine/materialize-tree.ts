/** Step 8 of a round: make the folder match the merged tree, never overwriting a local edit. */
import { join } from 'node:path';
import { pruneEmptyParents, statOf, trashFile, unchangedSince, writeVersion } from '../local/materialize.js';
import type { LocalRecord } from '../local/state.js';
import { hashLocalContent } from './local-changes.js';
import { IGNORE_CTIME, recordStat } from '../local/scan.js';
import { ChunkFetcher } from './chunk-fetcher.js';
import type { SyncSummary } from './library.js';
import type { TreeEntry } from './merge.js';
import { treeFor } from './broken-variants.js';
import type { RoundContext } from './round.js';
import { contentId } from './version.js';

/**
 * Before overwriting or trashing a file, make sure it still holds the recorded version. Stat
 * first; where the stat moved (an app opened a database and touched its -wal/-shm, or the record
 * was stored "racy"), compare content: if the file still holds the recorded version, the record
 * is refreshed and the incoming change may be applied.
 */
async function settleRecord(ctx: RoundContext, rec: LocalRecord): Promise<LocalRecord> {
  const path = join(ctx.dir, rec.path);
  if (await unchangedSince(path, rec)) return rec;
  const had = ctx.state.version(rec.version);
  if (!had || had.kind === 'dir') return rec;
  const before = await statOf(path);
  const chunks = await hashLocalContent(path, join(ctx.stateDir, 'staging'), ctx.options.chunking);
  const now = await statOf(path); // after hashing: opening a database may touch its files
  if (!before || !now || chunks === undefined || chunks.join() !== had.chunks.join()) return rec;
  if (had.kind !== 'sqlite' && (before.size !== now.size || before.mtimeMs !== now.mtimeMs)) return rec; // changed while hashing
  const settled = { ...rec, size: now.size, mtimeMs: now.mtimeMs, ctimeMs: had.kind === 'sqlite' ? IGNORE_CTIME : now.ctimeMs, ino: now.ino };
  ctx.state.putLocal(settled);
  return settled;
}

/** Returns whether the folder now matches the tree (false: something was left for a later round). */
export async function materializeTree(ctx: RoundContext, summary: SyncSummary): Promise<boolean> {
  const { state, storage, dir } = ctx;
  const tree = treeFor(state.allVersions(), ctx.options.brokenVariant);
  const records = state.localRecords();
  // Records are keyed by the name on disk; the tree by NFC path (a macOS NFD name is the same file).
  const byTree = new Map([...records.values()].map((r) => [r.treePath, r]));
  const trashDir = join(ctx.stateDir, 'trash', new Date(ctx.options.now()).toISOString().replace(/[:.]/g, '-'));
  summary.conflicts = [...tree.values()].filter((e) => e.conflictOf).map((e) => e.path);

  // Deletions first, so a rename's old name is gone before its new one appears.
  let complete = true;
  const deleted: string[] = [];
  for (const rec of records.values()) {
    if (tree.has(rec.treePath)) continue;
    if (!(await trashFile(dir, rec.path, await settleRecord(ctx, rec), trashDir))) complete = false;
    else {
      state.removeLocal(rec.path);
      deleted.push(rec.path);
      summary.remote.deleted++;
    }
  }
  const keptDirs = new Set([...tree.values()].filter((e) => e.version.kind === 'dir').map((e) => e.path));
  for (const p of deleted) await pruneEmptyParents(dir, p, (d) => keptDirs.has(d));

  const todo: TreeEntry[] = [];
  for (const entry of tree.values()) {
    const rec = byTree.get(entry.path);
    if (rec?.version === entry.version.hash) continue;
    const had = rec ? state.version(rec.version) : undefined;
    if (rec && had && !had.deleted && contentId(had) === contentId(entry.version) && (had.exec ?? false) === (entry.version.exec ?? false)) {
      state.putLocal({ ...rec, treePath: entry.path, version: entry.version.hash }); // same bytes already here
      continue;
    }
    todo.push(entry);
  }
  if (todo.length === 0) return complete;

  const fetcher = new ChunkFetcher(storage, (h) => state.chunk(h));
  fetcher.plan(todo.flatMap((e) => e.version.chunks));
  // Write in pack order so neighbouring small files come from one ranged read.
  const firstLoc = (e: TreeEntry) => {
    const c = e.version.chunks[0];
    const loc = c ? state.chunk(c) : undefined;
    return loc ? `${loc[1]}:${String(loc[2]).padStart(12, '0')}` : '';
  };
  todo.sort((a, b) => (firstLoc(a) < firstLoc(b) ? -1 : firstLoc(a) > firstLoc(b) ? 1 : 0));
  let done = 0;
  let bytes = 0;
  // A crash between a rename and its record only costs a re-hash: the scan finds the file holds
  // the tree's version and adopts it without a new version.
  let written: LocalRecord[] = [];
  const flush = () => {
    const batch = written;
    written = [];
    state.transaction(() => batch.forEach((r) => state.putLocal(r)));
  };
  try {
  for (const entry of todo) {
    ctx.progress({ phase: 'materialize', done: done++, total: todo.length, bytes, path: entry.path });
    let rec = byTree.get(entry.path);
    const diskPath = rec?.path ?? entry.path;
    if (rec) rec = await settleRecord(ctx, rec);
    try {
      const result = await writeVersion(dir, diskPath, entry.version, fetcher, rec, join(ctx.stateDir, 'staging'));
      if (result === 'local-edit') {
        complete = false; // kept; it becomes a version next round
        continue;
      }
      const stat = recordStat(result);
      if (entry.version.kind === 'sqlite') stat.ctimeMs = IGNORE_CTIME;
      written.push({ path: diskPath, treePath: entry.path, version: entry.version.hash, ...stat });
      if (written.length >= 500) flush(); // records in batches: one transaction, not one per file
      if (rec) summary.remote.changed++;
      else summary.remote.added++;
      summary.downloaded.files++;
      summary.downloaded.bytes += entry.version.size;
      bytes += entry.version.size;
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code === 'Corrupt' || code === 'NotFound') {
        summary.errors.push(`could not restore ${entry.path}: ${(e as Error).message}; the local copy was left as it was`);
        complete = false;
        continue;
      }
      throw e;
    }
  }
  } finally {
    flush();
  }
  return complete;
}
