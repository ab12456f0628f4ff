/** Step 8 of a round: make the folder match the merged tree, never overwriting a local edit. */
import { join } from 'node:path';
import { pruneEmptyParents, trashFile, writeVersion } from '../local/materialize.js';
import { ChunkFetcher } from './chunk-fetcher.js';
import type { SyncSummary } from './library.js';
import { buildTree, type TreeEntry } from './merge.js';
import type { RoundContext } from './round.js';
import { contentId } from './version.js';

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
    const rec = byTree.get(entry.path);
    const diskPath = rec?.path ?? entry.path;
    try {
      const result = await writeVersion(dir, diskPath, entry.version, fetcher, rec, join(ctx.stateDir, 'staging'));
      if (result === 'local-edit') {
        complete = false; // kept; it becomes a version next round
        continue;
      }
      state.putLocal({ path: diskPath, treePath: entry.path, version: entry.version.hash, ...result });
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
