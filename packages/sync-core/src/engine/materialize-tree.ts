/** Step 8 of a round: make the folder match the merged tree, never overwriting a local edit. */
import { join } from 'node:path';
import { pruneEmptyParents, statOf, trashFile, unchangedSince, writeVersion } from '../local/materialize.js';
import type { LocalRecord } from '../local/state.js';
import { hashLocalContent } from './local-changes.js';
import { IGNORE_CTIME } from '../local/scan.js';
import { ChunkFetcher } from './chunk-fetcher.js';
import type { SyncSummary } from './library.js';
import { buildTree, type TreeEntry } from './merge.js';
import type { RoundContext } from './round.js';
import { contentId } from './version.js';

/**
 * An app that merely opens a database touches its -wal/-shm, which changes the stat we compare
 * before overwriting. For databases, compare content instead: if the snapshot still holds the
 * recorded version, the local copy is unchanged and the incoming version may be applied.
 */
async function settleDatabaseRecord(ctx: RoundContext, rec: LocalRecord): Promise<LocalRecord> {
  const path = join(ctx.dir, rec.path);
  if (await unchangedSince(path, rec)) return rec;
  const had = ctx.state.version(rec.version);
  if (!had) return rec;
  const chunks = await hashLocalContent(path, join(ctx.stateDir, 'staging'), ctx.options.chunking);
  const now = await statOf(path); // after hashing: opening the database may touch its files
  if (!now) return rec;
  if (chunks === undefined || chunks.join() !== had.chunks.join()) return rec;
  const settled = { ...rec, size: now.size, mtimeMs: now.mtimeMs, ctimeMs: IGNORE_CTIME, ino: now.ino };
  ctx.state.putLocal(settled);
  return settled;
}

/** Returns whether the folder now matches the tree (false: something was left for a later round). */
export async function materializeTree(ctx: RoundContext, summary: SyncSummary): Promise<boolean> {
  const { state, storage, dir } = ctx;
  const tree = buildTree(state.allVersions());
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
    if (!(await trashFile(dir, rec.path, rec, trashDir))) complete = false;
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
  for (const entry of todo) {
    ctx.progress({ phase: 'materialize', done: done++, total: todo.length, bytes, path: entry.path });
    let rec = byTree.get(entry.path);
    const diskPath = rec?.path ?? entry.path;
    if (rec && entry.version.kind === 'sqlite') rec = await settleDatabaseRecord(ctx, rec);
    try {
      const result = await writeVersion(dir, diskPath, entry.version, fetcher, rec, join(ctx.stateDir, 'staging'));
      if (result === 'local-edit') {
        complete = false; // kept; it becomes a version next round
        continue;
      }
      const ctimeMs = entry.version.kind === 'sqlite' ? IGNORE_CTIME : result.ctimeMs;
      state.putLocal({ path: diskPath, treePath: entry.path, version: entry.version.hash, ...result, ctimeMs });
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
  return complete;
}
