/**
 * Step 5 of a round: new versions for what changed locally. Files are staged (chunked, their new
 * chunks packed and uploaded as packs fill); the versions are recorded once every pack is written.
 */
import { join } from 'node:path';
import type { StatLike } from '../../local/materialize.js';
import { foldsCase, keepsModes } from '../../local/fs-probe.js';
import { ReadBuffer } from '../../local/chunk-file.js';
import { effectiveStat, IGNORE_CTIME, isUnseen, recordStat, walkLibrary, type DiskEntry, type WalkResult } from '../../local/scan.js';
import type { LocalRecord, LocalState } from '../../local/state.js';
import { RecordedStats } from '../../local/recorded-stats.js';
import { abortPoint } from '../../model/abort.js';
import { contentId, type Version } from '../../model/version.js';
import { contentKey, heldDeletions } from '../held-deletions.js';
import { plannedVersionHeld } from '../adoption.js';
import { stageFile, type StagedContent } from '../local-changes.js';
import { PackWriter } from '../packs.js';
import type { StepContext } from '../round-context.js';
import { settleRecent } from '../settle.js';
import type { SyncSummary } from '../sync-summary.js';
import { NewVersions, type NewVersionsState } from './new-versions.js';
import { CondemnedPacks } from '../../local/condemned-packs.js';

export interface ScanResult {
  /** Versions created. */
  created: number;
  local: SyncSummary['local'];
  skipped: SyncSummary['skipped'];
  packs: number;
  bytes: number;
  /** Entries on disk this node's exclude patterns left out. */
  excluded: number;
  /** The folder already shows what the versions created make of the tree (NewVersions.inPlace). */
  inPlace: boolean;
  /** Deletions held back, each in `skipped`, and what is said once of them (held-deletions.ts). */
  held?: { count: number; notice: string };
}

/** Only the stat fields: a DiskEntry also has `path`, which must not overwrite a record's. */
const statFields = (e: StatLike): StatLike => ({ size: e.size, mtimeMs: e.mtimeMs, ctimeMs: e.ctimeMs, ino: e.ino });

/** Whether `table` holds any row: a first upload (no location, no plan left) asks nothing per chunk or per file. */
const hasRows = (db: LocalState['db'], table: 'chunk_locations' | 'planned_writes') => db.prepare(`SELECT 1 FROM ${table} LIMIT 1`).get() !== undefined;

/** What the scan reads and writes of the local state: records, chunks, and the versions it makes. */
export type ScanState = NewVersionsState & Pick<LocalState, 'addPackChunks' | 'db' | 'hasChunk' | 'plannedWrite' | 'putLocal' | 'version'>;

export async function scanLocal(ctx: StepContext<ScanState>): Promise<ScanResult> {
  const records = new RecordedStats(ctx.state.db);
  // An unchanged file is done with as the walk meets it, except where a round must look again at
  // unchanged files too (packs were lost: `resupply`).
  const unchanged = ctx.state.round.get('resupply') ? undefined : (diskPath: string, s: StatLike) => records.takeIfSame(diskPath, s);
  const walk = await walkLibrary(ctx.dir, ctx.rules, ctx.signal, ctx.options.policy.followsLinks(), unchanged);
  const scan = new LocalScan(ctx, walk, records);
  await scan.entries();
  scan.folders(scan.deletions());
  await scan.packs.flush();
  scan.reads.release(); // every chunk read into it is in a pack now
  scan.versions.record(scan.removed, scan.resupply);
  const { versions, packs } = scan;
  const held = scan.held ? { held: scan.held } : {};
  return { created: versions.created, local: scan.local, skipped: scan.skipped, packs: packs.packsWritten, bytes: packs.bytesWritten, excluded: walk.excluded, inPlace: versions.inPlace, ...held };
}

class LocalScan {
  readonly packs: PackWriter;
  readonly versions: NewVersions;
  /** After packs were lost: unchanged files whose version lacks a chunk location are staged again. */
  readonly resupply: boolean;
  /** Chunks staged again even though a location is known: it could not be verified (round-state.ts). */
  private readonly doubtful: Set<string>;
  /** A chunk has a location outside every condemned pack (§3.12): nothing new is pointed into a pack that may go. */
  private readonly stored: (hash: string) => boolean;
  private readonly condemned: ReadonlySet<string>;
  /** A materialization's plan is left (adoption.ts): only then is a changed file looked up in it, twice (as spelled, and case folded). */
  private readonly anyPlanned: boolean;
  readonly local = { added: 0, changed: 0, deleted: 0 };
  /** The content of files this round made versions of, where deletions could be held back: a deleted file's content found here was moved, not lost. */
  private readonly readded = new Set<string>();
  /** What the round says of deletions held back (held-deletions.ts). */
  held: { count: number; notice: string } | undefined;
  /** Empty folders with no folder entry yet (`folders`). */
  private readonly emptyFolders: { entry: DiskEntry; rec: LocalRecord | undefined; st: StatLike }[] = [];
  readonly skipped: SyncSummary['skipped'];
  /** Records dropped with the versions, in one transaction. */
  readonly removed: string[] = [];
  private readonly staging: string;
  /** Every large file of this scan is read into one buffer, written again once the pack writer has copied its chunks. */
  readonly reads = new ReadBuffer(() => this.packs.chunksCopied());
  private modesKept: boolean | undefined;
  private folds: boolean | undefined;

  constructor(
    private readonly ctx: StepContext<ScanState>,
    private readonly walk: WalkResult,
    /** Each record's stat; the whole record is read only where a file changed or went. */
    readonly records: RecordedStats,
  ) {
    const { state, storage, options } = ctx;
    const condemned = new CondemnedPacks(state.db);
    // Where no location is known yet (a first upload), none is asked for chunk by chunk: the pack
    // writer itself knows the chunks this round stores (a query per chunk was 1.6 s of a first
    // upload of 100,000 small files).
    const lookup = options.policy.honoursCondemnations() ? condemned.usable() : (h: string) => state.hasChunk(h);
    this.stored = hasRows(state.db, 'chunk_locations') ? lookup : () => false;
    this.anyPlanned = hasRows(state.db, 'planned_writes');
    this.condemned = condemned.all();
    this.skipped = [...walk.skipped];
    this.packs = new PackWriter(
      storage,
      options.codec,
      (locs) => state.addPackChunks(locs),
      (h) => this.stored(h) && !this.doubtful.has(h),
      options.packSize,
      options.policy.honoursCondemnations() ? (key) => this.condemned.has(key) : undefined,
    );
    this.versions = new NewVersions(state, state.round.get('writer'), options.now);
    this.resupply = state.round.get('resupply');
    this.doubtful = new Set(this.resupply ? state.round.get('doubtfulChunks') : []);
    this.staging = join(ctx.stateDir, 'staging');
  }

  /** Every file and folder on disk: unchanged, touched, adopted, or a new version. */
  async entries(): Promise<void> {
    const { ctx } = this;
    // Each entry is let go once handled, and the walk's map at once: a first upload of 100,000
    // files otherwise held every entry (and its boxed times) to the end, beside the new versions.
    const entries: (DiskEntry | undefined)[] = [...this.walk.entries.values()];
    this.walk.entries.clear();
    // Files being written right now get a moment to settle; one that does not is named, never skipped in silence.
    const unsettled = await settleRecent(ctx.dir, entries as DiskEntry[], { recentMs: ctx.options.stableAfterMs, maxWaitMs: ctx.options.settleWaitMs, signal: ctx.signal });
    let done = 0;
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i]!;
      entries[i] = undefined;
      await abortPoint(ctx.signal);
      const row = this.records.take(entry.diskPath);
      const actual = statFields(await effectiveStat(ctx.dir, entry));
      if (row >= 0 && this.records.matches(row, actual)) {
        if (this.resupply && entry.kind === 'file' && this.lacksLocation(this.records.record(entry.diskPath)!.version)) await this.stage(entry);
        continue;
      }
      const rec = row >= 0 ? this.records.record(entry.diskPath) : undefined;
      if (entry.kind === 'dir') {
        this.folder(entry, rec, recordStat(actual));
        continue;
      }
      const stillWritten = unsettled.get(entry.diskPath);
      if (stillWritten) {
        this.skipped.push({ path: entry.diskPath, reason: stillWritten });
        continue;
      }
      ctx.progress({ phase: 'scan', done: done++, total: entries.length, bytes: 0, path: entry.diskPath });
      await this.file(entry, rec, recordStat(actual));
    }
  }

  private lacksLocation(hash: string): boolean {
    const { state } = this.ctx;
    return state.version(hash)?.chunks.some((h) => !this.stored(h) || this.doubtful.has(h)) ?? false;
  }

  private stage(entry: DiskEntry) {
    return stageFile(this.ctx.dir, entry, this.packs, this.staging, { chunking: this.ctx.options.chunking, signal: this.ctx.signal, reads: this.reads });
  }

  private folder(entry: DiskEntry, rec: LocalRecord | undefined, st: StatLike): void {
    const base = rec ? this.ctx.state.version(rec.version) : undefined;
    if (base?.kind === 'dir' && !base.deleted) {
      this.ctx.state.putLocal({ ...rec!, ...st });
      return;
    }
    this.emptyFolders.push({ entry, rec, st });
  }

  /**
   * Empty folders new here become folder entries, once the deletions are judged: not one holding
   * deletions held back. It is empty only while they are missing (an unmounted disk's mount point);
   * every other node, whose copy holds the files, would answer its entry with a delete, and that
   * delete removed the mount point here.
   */
  folders(held: ReadonlySet<string>): void {
    const holding = new Set([...held].flatMap((path) => path.split('/').map((_, i, parts) => parts.slice(0, i).join('/'))));
    const { versions } = this;
    for (const { entry, rec, st } of this.emptyFolders) {
      if (holding.has(entry.diskPath)) continue;
      versions.inPlace = false; // a folder entry: left to the materialization (a folder filling up, a file becoming one)
      versions.add({ path: entry.path, parents: rec ? [rec.version] : [], hlc: versions.tick(), writer: versions.writer, kind: 'dir', size: 0, mtime: 0, chunks: [] }, entry.diskPath, st);
      this.local.added++;
    }
  }

  private async file(entry: DiskEntry, rec: LocalRecord | undefined, st: StatLike): Promise<void> {
    const staged = await this.stage(entry);
    if ('unstable' in staged) {
      this.skipped.push({ path: entry.diskPath, reason: staged.unstable });
      return;
    }
    if (staged.kind === 'sqlite') st.ctimeMs = IGNORE_CTIME; // databases are compared by content
    const draft = this.draft(entry, rec, staged);
    if (this.sameContent(entry, rec, st, draft)) return;
    const { versions } = this;
    const copy = rec ? versions.conflictCopyAt(rec.treePath) : undefined;
    const conflictOf = copy?.conflictOf;
    if (conflictOf) {
      // An edited conflict copy becomes a file of its own, and the conflict is resolved.
      versions.add({ ...draft, path: entry.path, parents: [], hlc: versions.tick() }, entry.diskPath, st);
      versions.resolveConflict(conflictOf, copy.displaced);
    } else {
      if (versions.inPlace) versions.inPlace = rec ? versions.soleFileHead(rec.treePath, rec.version) : versions.freshPath(draft.path);
      versions.add({ ...draft, hlc: versions.tick() }, entry.diskPath, st);
    }
    if (rec) this.local.changed++;
    else this.local.added++;
    if (this.records.count >= (this.ctx.options.deletionGuard?.atLeast ?? Infinity)) this.readded.add(contentKey(draft));
  }

  private draft(entry: DiskEntry, rec: LocalRecord | undefined, staged: StagedContent): Version {
    return {
      path: rec?.treePath ?? entry.path,
      parents: rec ? [rec.version] : [],
      hlc: 0,
      writer: this.versions.writer,
      kind: staged.kind,
      size: staged.size,
      mtime: Math.round(entry.mtimeMs),
      chunks: staged.chunks,
      ...(this.execBit(entry, rec) ? { exec: true as const } : {}),
    };
  }

  /**
   * The executable bit as the user set it. Where the file system keeps no permission bits (exFAT,
   * FAT: every file reads as executable) the bit read is meaningless: the version's stays.
   */
  private execBit(entry: DiskEntry, rec: LocalRecord | undefined): boolean {
    this.modesKept ??= keepsModes(this.ctx.dir); // probed once per round, and only when a file changed
    if (this.modesKept) return entry.exec;
    const base = rec ? this.ctx.state.version(rec.version) : this.versions.treeEntry(entry.path)?.version;
    return base?.exec === true;
  }

  /** The file holds content this node already has a version for: only its record changes. */
  private sameContent(entry: DiskEntry, rec: LocalRecord | undefined, st: StatLike, draft: Version): boolean {
    const { state } = this.ctx;
    const base = rec ? state.version(rec.version) : undefined;
    const mine = !this.anyPlanned || (base && contentId(base) === contentId(draft)) ? undefined : plannedVersionHeld(state, entry.diskPath, draft, () => (this.folds ??= foldsCase(this.ctx.dir)));
    if (mine) {
      // Written here by a materialization a crash cut short before its record: no new version.
      state.putLocal({ path: entry.diskPath, treePath: mine.treePath, version: mine.version.hash, ...st });
      return true;
    }
    if (base && !base.deleted && contentId(base) === contentId(draft)) {
      state.putLocal({ ...rec!, ...st }); // touched, not changed
      return true;
    }
    if (rec) return false;
    // A file with no record that already holds the tree's version (the other node's copy of the
    // same bytes, or a download whose record a crash lost): adopt it, no new version.
    const there = this.versions.treeEntry(entry.path);
    if (!there || there.conflictOf || contentId(there.version) !== contentId(draft)) return false;
    this.versions.adopt(there.version, entry.diskPath, st);
    return true;
  }

  /** Whatever has a record but is no longer on disk was deleted here, unless held back (held-deletions.ts). */
  deletions(): ReadonlySet<string> {
    const { state, options } = this.ctx;
    // Behind a link or an unreadable folder the file is unknown, not gone: no delete.
    const gone = [...this.records.left()].filter((path) => !(options.policy.keepsUnseen() && isUnseen(this.walk, path)));
    const baseOf = (path: string) => {
      const rec = this.records.record(path);
      return rec && state.version(rec.version);
    };
    // Their records stay, so each round asks again, until the files are back or the deletions confirmed.
    const held = heldDeletions(gone, baseOf, this.records.count, this.readded, this.ctx.confirmDeletions ? undefined : options.deletionGuard);
    if (held) {
      for (const path of held.paths) this.skipped.push({ path, reason: held.reason });
      this.held = { count: held.paths.size, notice: held.notice };
    }
    for (const path of gone) if (!held?.paths.has(path)) this.deletion(path);
    return held?.paths ?? new Set();
  }

  private deletion(path: string): void {
    const rec = this.records.record(path);
    if (!rec) return; // gone from the table meanwhile: nothing of it to delete
    this.removed.push(rec.path);
    const base = this.ctx.state.version(rec.version);
    if (base && !base.deleted && this.versions.deleteGone(rec, base, this.ctx.dir, this.ctx.options.policy)) this.local.deleted++;
  }
}
