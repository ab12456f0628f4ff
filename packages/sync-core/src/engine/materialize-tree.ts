/** Step 8 of a round: make the folder match the merged tree, never overwriting a local edit. */
import { join } from 'node:path';
import { pruneEmptyParents, statOf, trashFile, unchangedSince, writeVersion } from '../local/materialize.js';
import type { LocalRecord } from '../local/state.js';
import { hashLocalContent } from './local-changes.js';
import { IGNORE_CTIME, recordStat } from '../local/scan.js';
import { ChunkFetcher } from './chunk-fetcher.js';
import { abortPoint } from '../model/abort.js';
import { chunkLocations } from './chunk-locations.js';
import { settleReadFailures, type FailedFile } from './pack-health.js';
import { withSizeCheck } from './segment-schema.js';
import type { SyncSummary } from './sync-summary.js';
import type { TreeEntry } from './merge.js';
import { treeFor } from './broken-variants.js';
import type { RoundContext } from './round-context.js';
import { chunkFile } from '../local/chunk-file.js';
import { describePathError, isPerPathError, unsafeParent } from '../local/safe-paths.js';
import { sha256 } from '../model/hashing.js';
import { contentId, type HashedVersion } from '../model/version.js';

/** Files up to this size are copied from another local file holding the same content. */
const LOCAL_COPY_MAX = 64 * 1024 * 1024;

/**
 * The chunks of `v` read from a local file said to hold it, verified against their hashes
 * (undefined when the file no longer holds exactly that content).
 */
async function localChunks(ctx: RoundContext, abs: string, v: HashedVersion): Promise<Map<string, Uint8Array> | undefined> {
  if (v.kind === 'sqlite') return undefined; // a live database is read through a snapshot, not here
  try {
    const out = new Map<string, Uint8Array>();
    const order: string[] = [];
    for await (const bytes of chunkFile(abs, ctx.options.chunking)) {
      const h = sha256(bytes);
      order.push(h);
      out.set(h, bytes);
    }
    return order.join() === v.chunks.join() ? out : undefined;
  } catch {
    return undefined;
  }
}

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
  const versions = state.allVersions();
  const tree = treeFor(versions, ctx.options.brokenVariant);
  const byHash = new Map(versions.map((v) => [v.hash, v]));
  const records = state.localRecords();
  // Records are keyed by the name on disk; the tree by NFC path (a macOS NFD name is the same file).
  const byTree = new Map([...records.values()].map((r) => [r.treePath, r]));
  const trashDir = join(ctx.stateDir, 'trash', new Date(ctx.options.now()).toISOString().replace(/[:.]/g, '-'));
  summary.conflicts = [...tree.values()].filter((e) => e.conflictOf).map((e) => e.path);
  // The last round's plan was for the scan before this (engine/adoption.ts); kept, it could adopt
  // a file the user later makes with the same bytes.
  state.planWrites([]);

  // Content this node already holds in another file (its own edit turned conflict copy, a rename)
  // is copied from there, not downloaded, and before anything is overwritten: it is then still
  // written when the remote has lost it (storage rolled back).
  const localSource = new Map<string, { abs: string; treePath: string }>();
  for (const rec of records.values()) {
    const v = byHash.get(rec.version); // from the versions already loaded: no query per file
    if (v && !v.deleted && v.kind === 'file' && v.size <= LOCAL_COPY_MAX && v.chunks.length > 0) localSource.set(contentId(v), { abs: join(dir, rec.path), treePath: rec.treePath });
  }

  // Deletions first, so a rename's old name is gone before its new one appears (a rename's
  // content is then copied from the trash).
  let complete = true;
  const deleted: string[] = [];
  for (const rec of records.values()) {
    if (tree.has(rec.treePath)) continue;
    await abortPoint(ctx.signal);
    let trashed: boolean;
    try {
      const unsafe = unsafeParent(dir, rec.path); // never read, let alone move, through a link
      if (unsafe) throw unsafe;
      trashed = await trashFile(dir, rec.path, await settleRecord(ctx, rec), trashDir);
    } catch (e) {
      if (!isPerPathError(e)) throw e;
      summary.errors.push(`could not remove ${rec.treePath}: ${describePathError(e)}; tried again next sync`);
      complete = false;
      continue;
    }
    if (!trashed) complete = false;
    else {
      for (const src of localSource.values()) if (src.abs === join(dir, rec.path)) src.abs = join(trashDir, rec.path);
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
    const had = rec ? byHash.get(rec.version) : undefined;
    if (rec && had && !had.deleted && contentId(had) === contentId(entry.version) && (had.exec ?? false) === (entry.version.exec ?? false) && (await unchangedSince(join(dir, rec.path), rec))) {
      // Same bytes already here. (Only while the file is as recorded: a file the user deleted or
      // changed keeps its record, so the delete or edit names the version the user saw.)
      state.putLocal({ ...rec, treePath: entry.path, version: entry.version.hash });
      continue;
    }
    todo.push(entry);
  }
  if (todo.length === 0) return complete;

  const sourceOf = (e: TreeEntry) => {
    const src = localSource.get(contentId(e.version));
    return src && src.treePath !== e.path ? src : undefined;
  };
  const fetcher = new ChunkFetcher(storage, (h) => chunkLocations(state, h), ctx.signal);
  const failed: FailedFile[] = [];
  fetcher.plan(todo.filter((e) => !sourceOf(e)).flatMap((e) => e.version.chunks));
  // Write in pack order so neighbouring small files come from one ranged read.
  const firstLoc = (e: TreeEntry) => {
    const c = e.version.chunks[0];
    const loc = c ? state.chunk(c) : undefined;
    return loc ? `${loc[1]}:${String(loc[2]).padStart(12, '0')}` : '';
  };
  // Local copies first, and among them those that write a new name (a conflict copy, a rename's
  // target) before those that overwrite a file, which may be another copy's source.
  const sortKey = (e: TreeEntry) => (sourceOf(e) ? (byTree.has(e.path) ? '1' : '0') : `2${firstLoc(e)}`);
  todo.sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : sortKey(a) > sortKey(b) ? 1 : 0));
  // Stored before the first rename: a crash between a rename and its record is then recognized
  // by the next scan as this node's own write (engine/adoption.ts), not as a local edit.
  state.planWrites(todo.filter((e) => e.version.kind !== 'dir').map((e) => ({ path: byTree.get(e.path)?.path ?? e.path, treePath: e.path, version: e.version.hash })));
  let done = 0;
  let bytes = 0;
  // A crash between a rename and its record only costs a re-hash: the scan finds the file holds
  // the content planned for it above and adopts that version, not a new one.
  let written: LocalRecord[] = [];
  const flush = () => {
    const batch = written;
    written = [];
    state.transaction(() => batch.forEach((r) => state.putLocal(r)));
  };
  try {
  for (const entry of todo) {
    await abortPoint(ctx.signal); // what is written is recorded (finally, below): the next round resumes
    ctx.progress({ phase: 'materialize', done: done++, total: todo.length, bytes, path: entry.path });
    let rec = byTree.get(entry.path);
    const diskPath = rec?.path ?? entry.path;
    try {
      const unsafe = unsafeParent(dir, diskPath);
      if (unsafe) throw unsafe;
      if (rec) rec = await settleRecord(ctx, rec);
      // A file becoming a folder or the reverse (the merge gave the name to a folder): what the
      // record says is here goes to the trash first, if unchanged; a local edit is kept.
      const was = rec ? byHash.get(rec.version) : undefined;
      if (rec && was && !was.deleted && (was.kind === 'dir') !== (entry.version.kind === 'dir')) {
        if (!(await trashFile(dir, rec.path, rec, trashDir))) {
          complete = false;
          continue;
        }
        for (const src of localSource.values()) if (src.abs === join(dir, rec.path)) src.abs = join(trashDir, rec.path);
        state.removeLocal(rec.path);
        rec = undefined;
      }
      const source = sourceOf(entry);
      const local = source ? await localChunks(ctx, source.abs, entry.version) : undefined;
      const from = withSizeCheck(entry.version, local ? { get: async (h: string) => local.get(h) ?? fetcher.get(h) } : fetcher);
      const result = await writeVersion(dir, diskPath, entry.version, from, rec, join(ctx.stateDir, 'staging'), ctx.signal);
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
        // Reported after the loop, once pack-health.ts has judged the packs involved.
        const chunks = new Set(entry.version.chunks);
        failed.push({ path: entry.path, error: e as Error, packs: [...new Set(fetcher.failures.filter((f) => chunks.has(f.hash)).map((f) => f.pack))] });
        complete = false;
        continue;
      }
      // This path cannot be written here (a name too long for this file system, a link or a
      // file in the way, no permission): reported, the rest goes on, and the next round retries.
      if (isPerPathError(e)) {
        summary.errors.push(`could not write ${entry.path}: ${describePathError(e)}; tried again next sync`);
        complete = false;
        continue;
      }
      throw e;
    }
  }
  } finally {
    flush();
  }
  state.planWrites([]); // every write is recorded
  await settleReadFailures(state, storage, ctx.options.now(), fetcher, failed, summary);
  return complete;
}
