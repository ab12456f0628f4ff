/**
 * The writes of a materialization (materialize-tree.ts): each tree entry written into the folder,
 * its record stored in batches, failures judged per file so the rest goes on.
 */
import { join } from 'node:path';
import { diskSpeller, spellingOnDisk } from '../../local/fs-probe.js';
import { trashFile, writeVersion } from '../../local/materialize.js';
import { describePathError, isPerPathError, unsafeParent } from '../../local/safe-paths.js';
import { IGNORE_CTIME, recordStat } from '../../local/scan.js';
import type { LocalRecord, LocalState } from '../../local/state.js';
import { abortPoint } from '../../model/abort.js';
import type { HashedVersion } from '../../model/version.js';
import type { ChunkFetcher } from '../chunk-fetcher.js';
import { Overlap } from '../overlap.js';
import type { TreeEntry } from '../merge.js';
import type { FailedFile, PackHealthState } from '../pack-health.js';
import type { StepContext } from '../round-context.js';
import { withSizeCheck } from '../segment-schema.js';
import type { StepReport } from '../sync-summary.js';
import { writtenAction } from '../file-actions.js';
import { localChunks, settleRecord, type LocalCopiesState } from './local-copies.js';

/** What materializing reads and writes of the local state: the records, the versions, the write plan, and pack health for failed reads. */
export type MaterializeState = PackHealthState & LocalCopiesState & Pick<LocalState, 'allVersions' | 'hasChunk' | 'localRecords' | 'removeLocal' | 'chunk' | 'planWrites' | 'transaction'>;

/** What the writes need of the materialization (materialize-tree.ts). */
export interface Materialization {
  readonly ctx: StepContext<MaterializeState>;
  readonly report: StepReport;
  readonly byHash: Map<string, HashedVersion>;
  readonly byTree: Map<string, LocalRecord>;
  readonly trashDir: string;
  /** Set to false when something is left for a later round. */
  complete: boolean;
  /** A local file holding the entry's content under another name. */
  sourceOf(e: TreeEntry): { abs: string } | undefined;
  /** Whether this disk folds case (probed once). */
  foldsCase(): boolean;
  /** The record's file went to the trash. */
  movedToTrash(rec: LocalRecord): void;
}

/**
 * Files written at once where the remote serves concurrent reads: each file's fsync waits on the
 * disk, and its neighbours' writes and reads go on meanwhile. One at a time otherwise.
 */
const MAX_PARALLEL_WRITES = 8;

/**
 * Writes `todo` in order; returns the files whose content could not be read (judged by the caller).
 * Downloads of new content (no local source, not a folder) may overlap each other; everything
 * else waits for what is under way and goes alone, keeping the order materialize-tree.ts chose
 * (local copies before the files they may come from are overwritten, folders before files).
 */
export async function writeEntries(m: Materialization, todo: TreeEntry[], fetcher: ChunkFetcher): Promise<FailedFile[]> {
  const { ctx } = m;
  const failed: FailedFile[] = [];
  const parallel = Math.min(MAX_PARALLEL_WRITES, Math.max(1, ctx.options.fetchConcurrency));
  let done = 0;
  let bytes = 0;
  // A crash between a rename and its record only costs a re-hash: the scan finds the file holds
  // the content planned for it and adopts that version, not a new one.
  let written: LocalRecord[] = [];
  const flush = () => {
    const batch = written;
    written = [];
    recordWritten(m, batch);
  };
  const write = async (entry: TreeEntry) => {
    try {
      const rec = await writeEntry(m, entry, fetcher);
      if (!rec) {
        m.complete = false; // a local edit kept (it becomes a version next round), or in the way
        return;
      }
      written.push(rec);
      if (written.length >= 500) flush(); // records in batches: one transaction, not one per file
      bytes += entry.version.size;
    } catch (e) {
      if (!writeFailed(m, entry, e, fetcher, failed)) throw e;
    } finally {
      done++;
    }
  };
  const overlap = new Overlap(parallel);
  try {
    for (const entry of todo) {
      await abortPoint(ctx.signal); // what is written is recorded (finally, below): the next round resumes
      // `done` counts files finished: with several under way, those started would run ahead of it.
      ctx.progress({ phase: 'materialize', done, total: todo.length, bytes, path: entry.path });
      await overlap.run(() => write(entry), entry.version.kind === 'dir' || m.sourceOf(entry) !== undefined);
    }
    await overlap.settle();
  } finally {
    await overlap.drain(); // every write under way ends (renamed or cleaned up) before anything is thrown
    flush();
  }
  return failed;
}

/**
 * Stores the records of files just written. A path no record named was written as the tree spells
 * it, but on a disk that folds case it lands in a folder of another spelling that is there (one the
 * user made during the round: `d/e/f.txt` goes into `D/e/`); it is recorded as the disk spells it,
 * or the next scan would find an unrecorded `D/e/f.txt` and a recorded `d/e/f.txt` gone, and
 * publish a rename nobody made (seed 44541 of the case-insensitive simulation). The folders are
 * listed after the writes, once per batch.
 */
function recordWritten(m: Materialization, batch: LocalRecord[]): void {
  const { state, dir } = m.ctx;
  const placed = (r: LocalRecord) => !m.byTree.has(r.treePath);
  const spell = batch.some(placed) && m.foldsCase() ? diskSpeller(dir) : undefined;
  const spelled = (r: LocalRecord) => (spell && placed(r) ? { ...r, path: spellingOf(r.path, m.byHash.get(r.version)?.kind === 'dir', spell) } : r);
  state.transaction(() => batch.forEach((r) => state.putLocal(spelled(r))));
}

/**
 * A file's own name is as written (a file of another spelling in the way is never overwritten:
 * writeVersion keeps it as a local edit), so only its folders are looked up, not the listing of
 * the folder it is in, however large; a folder's own name too (mkdir takes one of any spelling).
 */
function spellingOf(path: string, isDir: boolean, spell: (path: string) => string | undefined): string {
  const cut = isDir ? path.length : path.lastIndexOf('/');
  if (cut <= 0) return path;
  const folders = spell(path.slice(0, cut));
  return folders === undefined ? path : folders + path.slice(cut);
}

/** Writes one entry; returns its new record, or undefined when a local edit was kept instead. */
async function writeEntry(m: Materialization, entry: TreeEntry, fetcher: ChunkFetcher): Promise<LocalRecord | undefined> {
  const { ctx, report } = m;
  let rec = m.byTree.get(entry.path);
  const diskPath = rec?.path ?? entry.path;
  const unsafe = unsafeParent(ctx.dir, diskPath);
  if (unsafe) throw unsafe;
  if (rec) rec = await settleRecord(ctx, rec);
  // A file becoming a folder or the reverse (the merge gave the name to a folder): what the
  // record says is here goes to the trash first, if unchanged; a local edit is kept.
  const was = rec ? m.byHash.get(rec.version) : undefined;
  if (rec && was && !was.deleted && (was.kind === 'dir') !== (entry.version.kind === 'dir')) {
    if (!(await trashFile(ctx.dir, rec.path, rec, m.trashDir))) return undefined;
    m.movedToTrash(rec);
    rec = undefined;
  }
  const source = m.sourceOf(entry);
  const local = source ? await localChunks(ctx.options.chunking, source.abs, entry.version) : undefined;
  const from = withSizeCheck(entry.version, local ? { get: async (h: string) => local.get(h) ?? fetcher.get(h), release: (c) => fetcher.release(c) } : fetcher);
  const result = await writeVersion(ctx.dir, diskPath, entry.version, from, rec, join(ctx.stateDir, 'staging'), ctx.signal);
  if (result === 'local-edit') {
    if (!rec) reportOtherSpelling(m, entry.path, diskPath);
    return undefined;
  }
  const stat = recordStat(result);
  if (entry.version.kind === 'sqlite') stat.ctimeMs = IGNORE_CTIME;
  if (rec) report.remote.changed++;
  else report.remote.added++;
  (report.files ??= []).push(writtenAction(entry, rec !== undefined));
  report.downloaded.files++;
  report.downloaded.bytes += entry.version.size;
  return { path: diskPath, treePath: entry.path, version: entry.version.hash, ...stat };
}

/**
 * Nothing was recorded at `diskPath`, yet a file is there. Under that very name it is the user's,
 * published next round. On a disk that does not tell case apart it may be a file under another
 * spelling that the tree no longer has (its removal failed or was kept as a local edit, seed 2060
 * of the case-insensitive simulation: `d/c.txt` could not go to the trash, and `d/C.txt` was kept
 * out in silence): that file stays, and this path is reported as any other case clash.
 */
function reportOtherSpelling(m: Materialization, treePath: string, diskPath: string): void {
  const spelled = spellingOnDisk(m.ctx.dir, diskPath);
  if (spelled === undefined || spelled === diskPath || !m.foldsCase()) return;
  m.report.errors.push(`could not write ${treePath}: ${spelled} is the same name on this disk, which does not tell upper and lower case apart; tried again next sync`);
}

/** A failure that concerns this file alone: noted, and the rest goes on. False: the round stops. */
function writeFailed(m: Materialization, entry: TreeEntry, e: unknown, fetcher: ChunkFetcher, failed: FailedFile[]): boolean {
  const code = (e as { code?: string }).code;
  if (code === 'Corrupt' || code === 'NotFound') {
    // Reported after the loop, once pack-health.ts has judged the packs involved.
    const chunks = new Set(entry.version.chunks);
    failed.push({ path: entry.path, error: e as Error, packs: [...new Set(fetcher.failures.filter((f) => chunks.has(f.hash)).map((f) => f.pack))] });
    m.complete = false;
    return true;
  }
  // This path cannot be written here (a name too long for this file system, a link or a
  // file in the way, no permission): reported, the rest goes on, and the next round retries.
  if (isPerPathError(e)) {
    if (m.ctx.options.policy.reportsPathErrors()) m.report.errors.push(`could not write ${entry.path}: ${describePathError(e)}; tried again next sync`);
    m.complete = false;
    return true;
  }
  return false;
}
