/**
 * Layer `engine/` (the top): the sync protocol. A round (round.ts) runs its steps (steps/) over
 * the remote (`storage/`) and this machine (`local/`), in the vocabulary of `model/`. A library:
 * a folder kept in sync with a repository on some storage (`openLibrary` creates or joins it).
 */
import { supersededOf } from '../local/superseded-table.js';
import { EventEmitter } from 'node:events';
import { relative, resolve, isAbsolute } from 'node:path';
import type { Storage } from '../storage/contract.js';
import type { CountingStorage } from '../storage/wrappers/counting.js';
import { loadPathRules } from '../local/ignore-rules.js';
import type { LocalState, LocalRecord } from '../local/state.js';
import type { LibraryLock } from '../local/lock.js';
import { SyncError } from '../model/sync-error.js';
import { addKey, listKeys, removeKey, type KdfParams, type UnlockedKey } from '../codec/keyring.js';
import type { WrittenCheckpoint } from './checkpoints/write.js';
import { writeCheckpointNow } from './checkpoints/write-now.js';
import { collectLibrary, type CollectOptions, type CollectOutcome } from './collection/collect-library.js';
import { retentionOf, type RetentionOutcome } from './retention/set-retention.js';
import type { RetentionPolicy } from '../model/retention.js';
import { upgradeLibrary, type UpgradeOptions, type UpgradeOutcome } from './upgrade/upgrade-repository.js';
import { watchLibrary, type WatchOptions, type WatchTrigger } from './watch.js';
import { remoteHasNews } from './remote-segments.js';
import { buildTree, type Tree } from './merge.js';
import { runRound } from './round.js';
import { captureOffline, defaultStagingLimit, stageWhenUnreachable, type CaptureResult } from './outbox/outbox.js';
import { dryRunRound } from './dry-run.js';
import type { RoundContext, RoundOptions } from './round-context.js';
import type { SyncProgress, SyncSummary } from './sync-summary.js';
import { listAt, parsePointInTime, type ListedEntry, type PointInTime } from './point-in-time.js';
import { restoreEntries, type RestoreOptions, type RestoreOutcome } from './restore.js';
import { markPacksLost } from './pack-health.js';
import { librarySource } from './library-restore-source.js';
import { verifyRepository } from './repository.js';
import { verifyRemote, type VerifyOptions, type VerifyReport } from './verify.js';
import { settleRecord } from './steps/local-copies.js';
import { historyOf, type HistoryEntry, type HistoryFilter } from './history.js';
import { unsyncedChanges, type UnsyncedChanges } from './unsynced-changes.js';

export type { RetentionOutcome, RetentionPolicy, CollectOptions, CollectOutcome, HistoryEntry, HistoryFilter, UpgradeOptions, UpgradeOutcome, WrittenCheckpoint, WatchOptions, WatchTrigger };
export type { SyncProgress, SyncSummary, ListedEntry, RestoreOptions, RestoreOutcome, VerifyOptions, VerifyReport, CaptureResult, UnsyncedChanges, LibraryStatus };
import { libraryStatus, type LibraryStatus } from './library-status.js';
import type { LibraryFormat, LibraryKey, LibraryRestoreOutcome, RunningWatch, VerifyOutcome } from './library-results.js';
export type { ConflictCopy, LibraryFormat, LibraryKey, LibraryRestoreOutcome, RunningWatch, VerifyOutcome, VerifyRepair } from './library-results.js';
import type { LibraryOptions } from './library-options.js';
export type { LibraryOptions, RepositorySecret, SecretSource } from './library-options.js';

/** An open library (`openLibrary`), holding its lock until `close()`. Emits 'synced' (a SyncSummary), 'progress', 'conflict', 'error-report', 'notice' and, watching, 'round-failed'. */
export class Library extends EventEmitter {
  /** The remote as the engine uses it (counted, retried, checked): its `stats` count the requests since the last round began (each `sync()` resets them). */
  readonly storage: CountingStorage;
  private closed = false;

  constructor(
    /** The library folder, as given to `openLibrary`. */
    readonly dir: string,
    /** The folder of the state database, the outbox and the lock (`LibraryOptions.stateDir`; default `<dir>/.syncacross`). */
    readonly stateDir: string,
    /** The local state (SQLite): the engine's own, its shape may change in any release; read it through the methods. */
    readonly state: LocalState,
    private readonly lock: LibraryLock,
    storage: CountingStorage,
    private readonly remote: Storage,
    /** The options the library was opened with, defaults filled in, as the rounds use them (read only). */
    readonly options: RoundOptions & {
      /** Opened read-only: status and history only. */
      readOnly?: boolean;
      /** The outbox's settings (`LibraryOptions.staging`). */
      staging?: LibraryOptions['staging'];
    },
    private readonly key?: UnlockedKey,
  ) {
    super();
    this.storage = storage;
  }

  /** The repository's id (32 lowercase hex digits), the same on every node of it. */
  get repository(): string {
    return this.state.round.get('repo');
  }
  /** This node's writer id (`<node>.<incarnation>`): the name its segments are published under. A new one replaces it when the node finds itself cloned or restored. */
  get writer(): string {
    return this.state.round.get('writer');
  }
  /** The repository's format and whether it is encrypted. */
  get format(): LibraryFormat {
    return { format: this.state.round.get('format'), encrypted: this.options.codec.encrypted };
  }
  /**
   * The key that opened an encrypted repository (undefined otherwise), for an application to
   * remember (the CLI keeps it in its credentials folder, mode 0600): a secret, never to be logged.
   */
  unlockedKey(): UnlockedKey | undefined {
    return this.key;
  }

  /** The keys (passphrases) of an encrypted repository; `current` is the one this node opened it with. */
  async keys(): Promise<LibraryKey[]> {
    const key = this.requireKey();
    return (await listKeys(this.storage, this.repository)).map((k) => ({ ...k, current: k.id === key.keyId }));
  }

  /** Adds a passphrase that opens the repository (e.g. one per team member); returns its key id. */
  async addKey(passphrase: string, kdf?: KdfParams): Promise<string> {
    const key = this.requireKey();
    return addKey(this.storage, this.repository, key.masterKey, passphrase, kdf, this.options.now());
  }

  /**
   * Removes a passphrase; the others keep working. Not the last one, nor the one this node used.
   * Who once opened the repository may still hold its master key: removing a key stops that
   * passphrase from opening it, it does not re-encrypt anything (docs/PROTOCOL.md §3.6).
   */
  async removeKey(id: string): Promise<void> {
    const key = this.requireKey();
    await removeKey(this.storage, this.repository, id, key.keyId);
  }

  private requireKey(): UnlockedKey {
    if (!this.options.codec.encrypted) throw new SyncError('InvalidArgument', `repository ${this.repository} is not encrypted: it has no keys`);
    if (!this.key) throw new SyncError('KeyRequired', `repository ${this.repository} is encrypted: give its passphrase`);
    return this.key;
  }

  /**
   * Runs one round: pull, scan, publish, materialize; the summary's `files` names what happened to
   * each path. `dryRun`: changes nothing (not the remote, the folder or the state) and returns what
   * the round would do: `files` is the plan, the counts are the round's, and what could not be
   * synced is reported as a round reports it (dry-run.ts). `confirmDeletions`: local deletions are
   * published even where so many would be held back (held-deletions.ts). `seenByWatch`: folders
   * where a running watch saw a disk mounted, counted as mount points this round (watch-mounts.ts).
   */
  async sync(opts: { signal?: AbortSignal; onProgress?: (p: SyncProgress) => void; dryRun?: boolean; confirmDeletions?: boolean; seenByWatch?: readonly string[] } = {}): Promise<SyncSummary> {
    if (this.closed || this.options.readOnly) throw new Error(this.closed ? 'library is closed' : 'library was opened read-only');
    const ctx = this.roundContext(opts);
    if (opts.dryRun) return dryRunRound(ctx);
    let summary: SyncSummary;
    try {
      summary = await runRound(ctx);
    } catch (e) {
      // Unreachable: what changed here is staged at once all the same (outbox/); the error says so.
      throw this.options.staging === false ? e : await stageWhenUnreachable(e, ctx, this.options.staging?.limitBytes);
    }
    for (const c of summary.conflicts) this.emit('conflict', c);
    for (const e of summary.errors) this.emit('error-report', e);
    for (const n of summary.notices) this.emit('notice', n);
    this.emit('synced', summary);
    return summary;
  }

  private roundContext(opts: { signal?: AbortSignal; onProgress?: (p: SyncProgress) => void; confirmDeletions?: boolean; seenByWatch?: readonly string[] }): RoundContext {
    return {
      ...(opts.confirmDeletions ? { confirmDeletions: true } : {}),
      dir: this.dir,
      stateDir: this.stateDir,
      state: this.state,
      storage: this.storage,
      rules: loadPathRules(this.dir, this.options.exclude, this.options.mountPoints, opts.seenByWatch),
      options: this.options,
      signal: opts.signal,
      progress: (p) => {
        opts.onProgress?.(p);
        this.emit('progress', p);
      },
    };
  }

  /** Takes what changed here into the outbox, no request made (as `sync()` does when the remote is unreachable; `watch`, at once, offline). */
  async capture(opts: { signal?: AbortSignal } = {}): Promise<CaptureResult> {
    if (this.closed) throw new Error('library is closed');
    if (this.options.readOnly || this.options.staging === false) throw new Error(this.options.readOnly ? 'library was opened read-only' : 'staging is off for this library');
    return captureOffline(this.roundContext(opts), this.options.staging?.limitBytes ?? defaultStagingLimit(this.stateDir));
  }

  /** Writes a checkpoint of every segment applied here now (§3.9; `sync()` does when due); undefined: nothing to cover. */
  async checkpoint(opts: { signal?: AbortSignal } = {}): Promise<WrittenCheckpoint | undefined> {
    if (this.closed || this.options.readOnly) throw new Error(this.closed ? 'library is closed' : 'library was opened read-only');
    return (await writeCheckpointNow(this.state, this.storage, this.options, opts.signal)).written;
  }

  /** Garbage collection (docs/PROTOCOL.md §3.10): deletes segments a checkpoint older than the margin bundles, and checkpoints it supersedes. */
  async collect(opts: CollectOptions = {}): Promise<CollectOutcome> {
    if (this.closed || this.options.readOnly) throw new Error(this.closed ? 'library is closed' : 'library was opened read-only');
    return collectLibrary(this.state, this.storage, this.options, opts);
  }

  /** The repository's retention policy (docs/PROTOCOL.md §3.11), or sets `set` for every node (format 4). */
  async retention(set?: RetentionPolicy): Promise<RetentionOutcome> {
    if (this.closed || (set && this.options.readOnly)) throw new Error(this.closed ? 'library is closed' : 'library was opened read-only');
    return retentionOf(this.state, this.storage, this.options, set);
  }

  /** Upgrades a format-2 or format-3 repository to format 4, once every writer reads it (docs/PROTOCOL.md §3.7). */
  async upgrade(opts: UpgradeOptions = {}): Promise<UpgradeOutcome> {
    if (this.closed || this.options.readOnly) throw new Error(this.closed ? 'library is closed' : 'library was opened read-only');
    return upgradeLibrary(this.state, this.storage, this.options, opts);
  }

  /** Syncs until `opts.signal` fires: on settled local changes, every `intervalMs`, backing off while unreachable (watch.ts); emits 'synced', 'round-failed'. */
  watch(opts: WatchOptions): RunningWatch {
    if (this.options.readOnly) throw new Error('library was opened read-only');
    const watched = {
      dir: this.dir,
      exclude: this.options.exclude,
      mountPoints: this.options.mountPoints,
      sync: (o: { signal?: AbortSignal; seenByWatch?: readonly string[] }) => this.sync(o),
      hasRemoteNews: () => remoteHasNews(this.storage, this.state),
      ...(this.storage.changeFeed ? { changeFeed: this.storage.changeFeed } : {}),
      ...(this.options.staging === false ? {} : { capture: (o: { signal?: AbortSignal }) => this.capture(o) }),
    };
    return watchLibrary(watched, { ...opts, onRound: (r) => (opts.onRound?.(r), 'error' in r && this.emit('round-failed', r.error)) });
  }

  /** The merged tree as this node knows it (no request). */
  tree(): Tree {
    return buildTree(this.state.allVersions(), supersededOf(this.state));
  }

  /** Where the library stands, from the local state alone (no request): what `syncacross status` prints. */
  status(): LibraryStatus {
    return libraryStatus(this.state, this.tree(), { repository: this.repository, writer: this.writer, remote: this.remote.name, stateDir: this.stateDir });
  }

  /**
   * What the folder holds that the last sync did not take as it is now, from stats alone (no
   * request, no file read: unsynced-changes.ts). `seenByWatch`: a running watch's folders that
   * count as mount points (`RunningWatch.trigger.seenMounted()`), as its rounds count them.
   */
  unsyncedChanges(opts: { seenByWatch?: readonly string[] } = {}): Promise<UnsyncedChanges> {
    const rules = loadPathRules(this.dir, this.options.exclude, this.options.mountPoints, opts.seenByWatch);
    return unsyncedChanges(this.dir, this.state, rules, this.options.policy.followsLinks(), this.options.deletionGuard);
  }

  /** Every version known, oldest first, of the library or of `path` (a file or a folder), filtered by author and time (history.ts). */
  history(path?: string, filter: HistoryFilter = {}): HistoryEntry[] {
    return historyOf(this.state, (at) => this.pointInTime(at), path, filter);
  }

  /** Reads a moment as people type it (see `RestoreOptions.at`); throws `InvalidArgument`. */
  pointInTime(at = 'now'): PointInTime {
    return parsePointInTime(at, this.options.now(), () => this.state.allVersions());
  }

  /** The tree as it was at `at` (default now) under `path`; with `deleted`, what was deleted by then too. No request. */
  list(opts: { at?: string; path?: string; deleted?: boolean } = {}): ListedEntry[] {
    return listAt(this.state.allVersions(), this.pointInTime(opts.at), opts.path, opts.deleted === true, supersededOf(this.state));
  }

  /** Restores paths as they were at a moment, into a folder or in place (then synced, `sync`); in place, files changed since the last sync are left alone (deleted since: written back). */
  async restore(opts: RestoreOptions): Promise<LibraryRestoreOutcome> {
    if ((opts.to === undefined) === (opts.inPlace !== true)) throw new SyncError('InvalidArgument', 'restore needs either a folder to write into or in-place, not both');
    const at = this.pointInTime(opts.at);
    const { codec, fetchConcurrency: concurrency, chunking } = this.options;
    const source = librarySource(this.dir, this.state, this.storage, { codec, concurrency, chunking, readOnly: this.options.readOnly === true });
    const request = { paths: opts.paths ?? [], at, signal: opts.signal, onProgress: opts.onProgress, dryRun: opts.dryRun === true };
    if (opts.to !== undefined) {
      const dir = resolve(opts.to);
      const inside = relative(resolve(this.dir), dir);
      if (!inside.startsWith('..') && !isAbsolute(inside))
        throw new SyncError('InvalidArgument', `${opts.to} is inside the library: restored files would sync as new ones; restore to a folder outside it, or in place`);
      return restoreEntries(source, { ...request, target: { kind: 'folder', dir, overwrite: opts.overwrite === true } });
    }
    if (this.options.readOnly) throw new Error('library was opened read-only');
    const ctx = this.roundContext(opts);
    const target = {
      kind: 'in-place' as const,
      dir: this.dir,
      byTreePath: new Map([...this.state.localRecords().values()].map((r) => [r.treePath, r])),
      settle: (r: LocalRecord) => settleRecord(ctx, r),
      absentMounts: ctx.rules.absentMounts,
    };
    const outcome = await restoreEntries(source, { ...request, target });
    if (opts.dryRun) return outcome; // nothing written, so nothing to sync
    const sync = await this.sync({ signal: opts.signal, onProgress: opts.onProgress });
    return { ...outcome, sync };
  }

  /** Checks the remote against what this node knows (verify.ts). `repair`: gives up bad packs, re-uploads what it holds (a sync), checks again. */
  async verify(opts: VerifyOptions & { repair?: boolean } = {}): Promise<VerifyOutcome> {
    const repoIds = await verifyRepository(this.storage, this.state.round.get('repo'), this.state.round.get('format'), this.state.round.get('encrypted'));
    const report = await verifyRemote(this.storage, this.options.codec, this.state, repoIds, opts);
    if (!opts.repair || report.problems.length === 0) return report;
    if (this.options.readOnly) throw new Error('library was opened read-only');
    const packs = [...new Set(report.problems.filter((p) => p.kind.startsWith('pack-')).map((p) => p.object))].sort();
    this.state.transaction(() => markPacksLost(this.state, packs));
    const sync = await this.sync(opts);
    const after = await verifyRemote(this.storage, this.options.codec, this.state, repoIds, { ...opts, ...(report.sample ? { seed: report.sample.seed } : {}) });
    return { ...after, repair: { found: report.problems, packs, sync } };
  }

  /** Closes the state database, releases the library's lock and closes the storage; calling it again does nothing. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.state.close();
    await this.lock.release();
    await this.remote.close?.();
  }
}
