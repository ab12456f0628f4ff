/**
 * Step 8 of a round: make the folder match the merged tree, never overwriting a local edit.
 * Deletions first, then the writes (write-versions.ts), content copied from local files where
 * this node already holds it, downloaded otherwise.
 */
import { supersededOf } from '../../local/superseded-table.js';
import { join } from 'node:path';
import { foldsCase } from '../../local/fs-probe.js';
import { pruneEmptyParents, trashFile, unchangedSince } from '../../local/materialize.js';
import { absentMountOf, awaitingMountNotice } from '../../local/mount-points.js';
import { describePathError, isPerPathError, unsafeParent } from '../../local/safe-paths.js';
import type { LocalRecord } from '../../local/state.js';
import { abortPoint } from '../../model/abort.js';
import { contentId, type HashedVersion } from '../../model/version.js';
import { ChunkFetcher } from '../chunk-fetcher.js';
import { chunkLocator, packOrderKey } from '../chunk-locations.js';
import { anyLostLocations, reclaimLostLocations } from '../lost-locations.js';
import { oneNamePerFile, spellingsOnDisk } from './case-twins.js';
import type { Tree, TreeEntry } from '../merge.js';
import { settleReadFailures } from '../pack-health.js';
import type { StepContext } from '../round-context.js';
import { emptyReport, type StepReport } from '../sync-summary.js';
import { removedAction, writtenAction } from '../file-actions.js';
import { locallyCopiable, settleRecord } from './local-copies.js';
import { writeEntries, type Materialization as WriteTarget, type MaterializeState } from './write-versions.js';

/**
 * `complete`: whether the folder now matches the tree (false: something was left for a later
 * round); `waitsOnlyForMounts`: all that was left waits below mount points not there.
 */
export async function materializeTree(ctx: StepContext<MaterializeState>): Promise<{ complete: boolean; waitsOnlyForMounts: boolean; report: StepReport }> {
  const { state, storage } = ctx;
  const m = new Materialization(ctx);
  // The last round's plan was for the scan before this (engine/adoption.ts); kept, it could adopt
  // a file the user later makes with the same bytes.
  state.planWrites([]);
  await m.removeDeleted();
  const todo = await m.toWrite();
  if (m.report.awaitingMount) m.report.notices.push(awaitingMountNotice(m.report.awaitingMount, ctx.rules.absentMounts!));
  if (todo.length === 0) return m.outcome();
  if (anyLostLocations(state.db)) {
    const reclaimed = await reclaimLostLocations(
      state,
      storage,
      ctx.options.codec,
      todo.flatMap((e) => e.version.chunks),
    );
    if (reclaimed.length > 0)
      m.report.notices.push(`${reclaimed.length} chunk(s) found again in packs the remote had lost and has back (restored from an older copy?); their locations are published again`);
  }
  // Every chunk it gives is released once written (materialize.ts): ranges are read into buffers used again.
  const fetcher = new ChunkFetcher(storage, ctx.options.codec, chunkLocator(state), ctx.signal, { reusesBuffers: true });
  const failed = await writeEntries(m, m.ordered(todo, fetcher), fetcher);
  state.planWrites([]); // every write is recorded
  await settleReadFailures(state, storage, ctx.options.codec, ctx.options.now(), fetcher, failed, m.report);
  return m.outcome();
}

/**
 * What `materializeTree` would do, done to nothing: the paths it would move to the trash and the
 * entries it would write (a dry run, on a throw-away copy of the state: records of files already
 * holding their bytes are renamed in that copy only), in the order a round makes them. A write
 * that would then find a local edit (kept) or a name this disk cannot hold is named all the same.
 */
export async function plannedMaterialization(ctx: StepContext<MaterializeState>): Promise<StepReport> {
  const m = new Materialization(ctx);
  const report = m.report;
  for (const rec of m.records.values()) {
    if (m.tree.has(rec.treePath) || m.leftAlone(rec.path, false)) continue;
    report.remote.deleted++;
    (report.files ??= []).push(removedAction(rec.treePath, m.byHash.get(rec.version)));
  }
  // In the order the writes would be made (ordering plans reads: no request; stores the plan in the copy).
  const fetcher = new ChunkFetcher(ctx.storage, ctx.options.codec, chunkLocator(ctx.state), ctx.signal);
  for (const entry of m.ordered(await m.toWrite(), fetcher)) {
    const replaced = m.byTree.has(entry.path);
    if (replaced) report.remote.changed++;
    else report.remote.added++;
    report.downloaded.files++;
    report.downloaded.bytes += entry.version.size;
    (report.files ??= []).push(writtenAction(entry, replaced));
  }
  return report;
}

/** One materialization: the tree, the records, and where local copies of content are. */
class Materialization implements WriteTarget {
  readonly tree: Tree;
  readonly byHash: Map<string, HashedVersion>;
  readonly records: Map<string, LocalRecord>;
  /** Records are keyed by the name on disk; the tree by NFC path (a macOS NFD name is the same file). */
  readonly byTree: Map<string, LocalRecord>;
  readonly trashDir: string;
  /**
   * Content this node already holds in another file (its own edit turned conflict copy, a rename)
   * is copied from there, not downloaded, and before anything is overwritten: it is then still
   * written when the remote has lost it (storage rolled back).
   */
  private localSources?: Map<string, { abs: string; treePath: string }>;
  /** Records whose file went to the trash this round: where a local copy of their content is now. */
  private readonly trashed = new Map<string, string>();
  private readonly contentIds = new Map<string, string>();
  /**
   * On a disk that folds case: how it spelled the names the tree spells several ways before this
   * round removed anything. A removal may empty the only folder of one spelling (`d/`, left by a
   * file of `d/` displaced to a conflict copy there), and the other spelling (`D/`) must not win
   * the name for that: the copy, whose only local source is then in the trash, would not be
   * written, and its content would leave the folder (seed 11746 of the case-insensitive simulation).
   */
  private spelledBeforeRemovals?: Map<string, string>;
  /** False once something was left for a later round. */
  complete = true;
  /** What this materialization did and could not do, for the round's summary. */
  readonly report: StepReport = emptyReport();

  constructor(readonly ctx: StepContext<MaterializeState>) {
    const versions = ctx.state.allVersions();
    this.tree = ctx.options.policy.mergedTree(versions, supersededOf(ctx.state));
    this.byHash = new Map(versions.map((v) => [v.hash, v]));
    this.records = ctx.state.localRecords();
    this.byTree = new Map([...this.records.values()].map((r) => [r.treePath, r]));
    this.trashDir = join(ctx.stateDir, 'trash', new Date(ctx.options.now()).toISOString().replace(/[:.]/g, '-'));
    this.report.conflicts = [...this.tree.values()].filter((e) => e.conflictOf).map((e) => e.path);
  }

  /**
   * Where content is held locally, by content id: worked out at the first write that asks (a
   * content id per record, too many to hash for a round that writes nothing).
   */
  private localSource(): Map<string, { abs: string; treePath: string }> {
    if (this.localSources) return this.localSources;
    this.localSources = new Map();
    for (const rec of this.records.values()) {
      const v = this.byHash.get(rec.version); // from the versions already loaded: no query per file
      const abs = this.trashed.get(rec.path) ?? join(this.ctx.dir, rec.path);
      if (v && locallyCopiable(v)) this.localSources.set(contentId(v), { abs, treePath: rec.treePath });
    }
    return this.localSources;
  }

  /** A local file holding `e`'s content under another name. */
  sourceOf(e: TreeEntry): { abs: string; treePath: string } | undefined {
    // Asked several times per entry (ordering, overlap, the write): the content id hashes the version once.
    let id = this.contentIds.get(e.version.hash);
    if (id === undefined) this.contentIds.set(e.version.hash, (id = contentId(e.version)));
    const src = this.localSource().get(id);
    return src && src.treePath !== e.path ? src : undefined;
  }

  /** `rec`'s file went to the trash: a local copy of its content is read from there now. */
  movedToTrash(rec: LocalRecord): void {
    const { dir, state } = this.ctx;
    this.trashed.set(rec.path, join(this.trashDir, rec.path));
    for (const src of this.localSources?.values() ?? []) if (src.abs === join(dir, rec.path)) src.abs = join(this.trashDir, rec.path);
    state.removeLocal(rec.path);
  }

  /**
   * A change at a path this node excludes, or below a mount point not there (local/mount-points.ts):
   * left alone, and counted for the summary. The latter waits: the materialization is not complete,
   * so the next round writes it (onto the disk, mounted again).
   */
  leftAlone(diskPath: string, isDir: boolean): boolean {
    // Excluded first: below an absent mount point too, what this node leaves out waits for no mount.
    if (this.ctx.rules.excludes(isDir ? `${diskPath}/` : diskPath)) {
      this.report.excludedRemote = (this.report.excludedRemote ?? 0) + 1;
      return true;
    }
    if (!absentMountOf(this.ctx.rules.absentMounts, diskPath)) return false;
    this.report.awaitingMount = (this.report.awaitingMount ?? 0) + 1;
    return true;
  }

  /** What `materializeTree` answers: a change left for a mount point leaves it incomplete, but only waiting. */
  outcome(): { complete: boolean; waitsOnlyForMounts: boolean; report: StepReport } {
    const waiting = (this.report.awaitingMount ?? 0) > 0;
    return { complete: this.complete && !waiting, waitsOnlyForMounts: this.complete && waiting, report: this.report };
  }

  /** Deletions first, so a rename's old name is gone before its new one appears (a rename's content is then copied from the trash). */
  async removeDeleted(): Promise<void> {
    const { dir, signal } = this.ctx;
    const deleted: string[] = [];
    for (const rec of this.records.values()) {
      if (this.tree.has(rec.treePath)) continue;
      if (this.leftAlone(rec.path, false)) continue;
      await abortPoint(signal);
      let trashed: boolean;
      try {
        const unsafe = unsafeParent(dir, rec.path); // never read, let alone move, through a link
        if (unsafe) throw unsafe;
        this.spelledBeforeRemovals ??= this.foldsCaseTwins() ? spellingsOnDisk(this.ctx.dir, [...this.tree.keys()]) : new Map();
        trashed = await trashFile(dir, rec.path, await settleRecord(this.ctx, rec), this.trashDir);
      } catch (e) {
        if (!isPerPathError(e)) throw e;
        this.report.errors.push(`could not remove ${rec.treePath}: ${describePathError(e)}; tried again next sync`);
        this.complete = false;
        continue;
      }
      if (!trashed) this.complete = false;
      else {
        this.movedToTrash(rec);
        deleted.push(rec.path);
        this.report.remote.deleted++;
        (this.report.files ??= []).push(removedAction(rec.treePath, this.byHash.get(rec.version)));
      }
    }
    const keptDirs = new Set([...this.tree.values()].filter((e) => e.version.kind === 'dir').map((e) => e.path));
    for (const p of deleted) await pruneEmptyParents(dir, p, (d) => keptDirs.has(d));
  }

  /** Tree entries the folder does not hold yet (a record already holding the same bytes is only renamed in the state). */
  async toWrite(): Promise<TreeEntry[]> {
    const { state, dir } = this.ctx;
    const todo: TreeEntry[] = [];
    for (const entry of this.tree.values()) {
      const rec = this.byTree.get(entry.path);
      if (rec?.version === entry.version.hash) continue;
      if (this.leftAlone(rec?.path ?? entry.path, entry.version.kind === 'dir')) continue;
      const had = rec ? this.byHash.get(rec.version) : undefined;
      if (rec && had && !had.deleted && contentId(had) === contentId(entry.version) && (had.exec ?? false) === (entry.version.exec ?? false) && (await unchangedSince(join(dir, rec.path), rec))) {
        // Same bytes already here. (Only while the file is as recorded: a file the user deleted or
        // changed keeps its record, so the delete or edit names the version the user saw.)
        state.putLocal({ ...rec, treePath: entry.path, version: entry.version.hash });
        continue;
      }
      todo.push(entry);
    }
    return todo;
  }

  /** The writes in the order they are made, their downloads planned, and the plan stored. */
  ordered(todo: TreeEntry[], fetcher: ChunkFetcher): TreeEntry[] {
    const { state } = this.ctx;
    fetcher.plan(todo.filter((e) => !this.sourceOf(e)).flatMap((e) => e.version.chunks));
    // Write in pack order so neighbouring small files come from one ranged read.
    const firstLoc = (e: TreeEntry) => packOrderKey(e.version.chunks[0] ? state.chunk(e.version.chunks[0]) : undefined);
    // Local copies first, and among them those that write a new name (a conflict copy, a rename's
    // target) before those that overwrite a file, which may be another copy's source.
    // Each key computed once (it hashes the version and queries the state), not once per comparison.
    const keys = new Map(todo.map((e) => [e, this.sourceOf(e) ? (this.byTree.has(e.path) ? '1' : '0') : `2${firstLoc(e)}`]));
    todo.sort((a, b) => (keys.get(a)! < keys.get(b)! ? -1 : keys.get(a)! > keys.get(b)! ? 1 : 0));
    // Stored before the first rename: a crash between a rename and its record is then recognized
    // by the next scan as this node's own write (engine/adoption.ts), not as a local edit.
    if (todo.length > 0 && this.foldsCaseTwins()) todo = oneNamePerFile(this, todo, this.spelledBeforeRemovals);
    state.planWrites(todo.filter((e) => e.version.kind !== 'dir').map((e) => ({ path: this.byTree.get(e.path)?.path ?? e.path, treePath: e.path, version: e.version.hash })));
    return todo;
  }

  private folds?: boolean;
  /** Whether this disk folds case (probed once per round: the probe writes a file). */
  foldsCase(): boolean {
    return (this.folds ??= foldsCase(this.ctx.dir));
  }

  /** Whether this disk folds case and the policy keeps paths differing only in case apart on it. */
  private foldsCaseTwins(): boolean {
    return this.ctx.options.policy.keepsCaseTwinsApart() && this.foldsCase();
  }
}
