/**
 * Layer `engine/` (the top): the sync protocol. A round (round.ts) runs its steps (steps/) over
 * the remote (`storage/`) and this machine (`local/`), in the vocabulary of `model/`.
 *
 * A library: a folder kept in sync with a repository on some storage. `openLibrary` creates or
 * joins the repository and takes ownership of the folder's state; `sync()` runs one round:
 * list, fetch and merge, scan, upload packs then the segment, materialize.
 */
import { EventEmitter } from 'node:events';
import { relative, resolve, isAbsolute } from 'node:path';
import type { Storage } from '../storage/contract.js';
import type { CountingStorage } from '../storage/wrappers/counting.js';
import type { RetryOptions } from '../storage/wrappers/retry.js';
import { loadPathRules, type ExcludePatterns } from '../local/ignore-rules.js';
import type { LocalState, LocalRecord } from '../local/state.js';
import type { LibraryLock } from '../local/lock.js';
import type { ChunkingParams } from '../model/chunker.js';
import { SyncError } from '../model/sync-error.js';
import type { NewRepository } from './repository.js';
import { addKey, listKeys, removeKey, type KdfParams, type KeyInfo, type UnlockedKey } from '../codec/keyring.js';
import { writeCheckpoint, type WrittenCheckpoint } from './checkpoints/write.js';
import { watchLibrary, type WatchOptions, type WatchTrigger } from './watch.js';
import { remoteHasNews } from './remote-segments.js';
import { buildTree, type Tree } from './merge.js';
import { runRound } from './round.js';
import type { RoundContext, RoundOptions } from './round-context.js';
import type { SyncProgress, SyncSummary } from './sync-summary.js';
import { chunkLocations } from './chunk-locations.js';
import { listAt, parsePointInTime, type ListedEntry, type PointInTime } from './point-in-time.js';
import { restoreEntries, type RestoreOptions, type RestoreOutcome } from './restore.js';
import { markPacksLost } from './pack-health.js';
import { verifyRepository } from './repository.js';
import { verifyRemote, type VerifyOptions, type VerifyReport } from './verify.js';
import { settleRecord } from './steps/local-copies.js';
import { historyOf, type HistoryEntry, type HistoryFilter } from './history.js';
import type { Author } from './author-object.js';

export type { HistoryEntry, HistoryFilter, WrittenCheckpoint, WatchOptions, WatchTrigger };
export type { SyncProgress, SyncSummary, ListedEntry, RestoreOptions, RestoreOutcome, VerifyOptions, VerifyReport };

/** A verify that repaired: what it found first, the sync that re-uploaded, and what remains (`problems`). */
export type VerifyOutcome = VerifyReport & { repair?: { found: VerifyReport['problems']; packs: string[]; sync: SyncSummary } };

export interface LibraryOptions {
  dir: string;
  storage: Storage;
  /** Where the state database lives; default `<dir>/.syncacross`. Put it elsewhere for a library on a network share. */
  stateDir?: string;
  /** A name for this machine, part of its writer id (default: the host name). */
  nodeName?: string;
  /**
   * Who writes from this library, published once per writer id so `history()` on every node can
   * name the person and machine behind each version (sealed in an encrypted repository). A
   * changed name applies from this node's next segment on. None: versions show only the writer id.
   */
  author?: Author;
  /** Create or join the repository when the library has no state yet (default true). */
  create?: boolean;
  /**
   * Only read the state (status, history): no lock, so it works while another process syncs;
   * `sync()` is refused. Implies `create: false`.
   */
  readOnly?: boolean;
  /** How long to wait for another process that owns the library (default 2 s). */
  lockWaitMs?: number;
  /**
   * A file modified more recently than this may be being written: the round waits for it to stop
   * changing (default 2 s). Live SQLite databases are taken at once, through their backup API.
   */
  stableAfterMs?: number;
  /** How long a round waits at most for such files (default 3 s); one still changing is reported in `skipped`. */
  settleWaitMs?: number;
  /** A round that took longer than this re-reads the remote before committing (default 10 min). */
  roundLimitMs?: number;
  packSize?: number;
  chunking?: ChunkingParams;
  retry?: RetryOptions | false;
  now?: () => number;
  /**
   * Checkpoints (docs/PROTOCOL.md §3.9): a sync writes one every `every` segments (default 500);
   * a node with `readAfter` unknown segments (default 64) starts from the largest. `false`: neither.
   */
  checkpoints?: { every?: number; readAfter?: number } | false;
  /** Segments fetched in parallel (default 8; the simulation uses 1 for determinism). */
  fetchConcurrency?: number;
  /**
   * How a repository created by this open is made (docs/PROTOCOL.md §3.5-3.6): its format
   * (default 1 in this release's library API; the CLI creates format 2) and whether it is encrypted.
   */
  newRepository?: NewRepository;
  /**
   * What opens an encrypted repository: its passphrase, or the master key this node remembered
   * (`Library.unlockedKey`). Ignored for an unencrypted one. Without it, opening an encrypted
   * repository fails with `KeyRequired`; a wrong one with `KeyRejected`, and nothing is written.
   * A function is asked only when a key is needed (so a prompt appears only for an encrypted
   * repository), with the repository id ('' while creating one), and with need 'passphrase' when
   * a remembered key will not do: joining (only the keyring proves a key belongs to the
   * repository) or after a remembered key was refused.
   */
  secret?: RepositorySecret | SecretSource;
  /** What this node leaves out of the sync, and what that means for the other nodes: `ExcludePatterns`. */
  exclude?: ExcludePatterns;
}

export type RepositorySecret = { passphrase: string } | { masterKey: Uint8Array };
export type SecretSource = (repo: string, need?: 'passphrase') => Promise<RepositorySecret | undefined>;

export class Library extends EventEmitter {
  readonly storage: CountingStorage;
  private closed = false;

  constructor(
    readonly dir: string,
    readonly stateDir: string,
    readonly state: LocalState,
    private readonly lock: LibraryLock,
    storage: CountingStorage,
    private readonly remote: Storage,
    readonly options: RoundOptions & { readOnly?: boolean },
    private readonly key?: UnlockedKey,
  ) {
    super();
    this.storage = storage;
  }

  get repository(): string {
    return this.state.round.get('repo');
  }
  get writer(): string {
    return this.state.round.get('writer');
  }
  /** The repository's format and whether it is encrypted. */
  get format(): { format: 1 | 2; encrypted: boolean } {
    return { format: this.options.codec.format, encrypted: this.options.codec.encrypted };
  }
  /**
   * The key that opened an encrypted repository (undefined otherwise), for an application to
   * remember (the CLI keeps it in its credentials folder, mode 0600): a secret, never to be logged.
   */
  unlockedKey(): UnlockedKey | undefined {
    return this.key;
  }

  /** The keys (passphrases) of an encrypted repository; `current` is the one this node opened it with. */
  async keys(): Promise<(KeyInfo & { current: boolean })[]> {
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

  async sync(opts: { signal?: AbortSignal; onProgress?: (p: SyncProgress) => void } = {}): Promise<SyncSummary> {
    if (this.closed) throw new Error('library is closed');
    if (this.options.readOnly) throw new Error('library was opened read-only');
    const summary = await runRound(this.roundContext(opts));
    for (const c of summary.conflicts) this.emit('conflict', c);
    for (const e of summary.errors) this.emit('error-report', e);
    for (const n of summary.notices) this.emit('notice', n);
    this.emit('synced', summary);
    return summary;
  }

  private roundContext(opts: { signal?: AbortSignal; onProgress?: (p: SyncProgress) => void }): RoundContext {
    return {
      dir: this.dir,
      stateDir: this.stateDir,
      state: this.state,
      storage: this.storage,
      rules: loadPathRules(this.dir, this.options.exclude),
      options: this.options,
      signal: opts.signal,
      progress: (p) => {
        opts.onProgress?.(p);
        this.emit('progress', p);
      },
    };
  }

  /** Writes a checkpoint of every segment applied here now (§3.9; `sync()` does when due); undefined: nothing to cover. */
  async checkpoint(opts: { signal?: AbortSignal } = {}): Promise<WrittenCheckpoint | undefined> {
    if (this.closed) throw new Error('library is closed');
    if (this.options.readOnly) throw new Error('library was opened read-only');
    return writeCheckpoint(this.state, this.storage, this.options.codec, this.options.policy, opts.signal);
  }

  /** Syncs until `opts.signal` fires: on settled local changes, every `intervalMs`, backing off while unreachable (watch.ts); emits 'synced', 'round-failed'. */
  watch(opts: WatchOptions): { done: Promise<void>; trigger: WatchTrigger } {
    if (this.options.readOnly) throw new Error('library was opened read-only');
    const watched = { dir: this.dir, exclude: this.options.exclude, sync: (o: { signal?: AbortSignal }) => this.sync(o), hasRemoteNews: () => remoteHasNews(this.storage, this.state) };
    return watchLibrary(watched, { ...opts, onRound: (r) => (opts.onRound?.(r), 'error' in r && this.emit('round-failed', r.error)) });
  }

  /** The merged tree as this node knows it (no request). */
  tree(): Tree {
    return buildTree(this.state.allVersions());
  }

  status() {
    const tree = this.tree();
    return {
      repository: this.repository,
      writer: this.writer,
      remote: this.remote.name,
      files: [...tree.values()].filter((e) => !e.conflictOf).length,
      conflicts: [...tree.values()].filter((e) => e.conflictOf).map((e) => ({ path: e.path, conflictOf: e.conflictOf! })),
      pendingVersions: this.state.pendingVersions().length,
      unuploadedSegments: this.state.unuploaded().length,
      corruptSegments: this.state.segmentsIn('corrupt'),
      lastSync: this.state.round.get('lastSync') ?? null,
    };
  }

  /** Every version known, oldest first, of the library or of `path` (a file or a folder), filtered by author and time (history.ts). */
  history(path?: string, filter: HistoryFilter = {}): HistoryEntry[] {
    return historyOf(this.state, (at) => this.pointInTime(at).time, path, filter);
  }

  /** Reads a moment as people type it (see `RestoreOptions.at`); throws `InvalidArgument`. */
  pointInTime(at = 'now'): PointInTime {
    return parsePointInTime(at, this.options.now(), () => this.state.allVersions());
  }

  /** The tree as it was at `at` (default now) under `path`; with `deleted`, what was deleted by then too. No request. */
  list(opts: { at?: string; path?: string; deleted?: boolean } = {}): ListedEntry[] {
    return listAt(this.state.allVersions(), this.pointInTime(opts.at), opts.path, opts.deleted === true);
  }

  /** Restores paths as they were at a moment, into a folder or in place (then synced, `sync`); in place, files changed since the last sync are left alone. */
  async restore(opts: RestoreOptions): Promise<RestoreOutcome & { sync?: SyncSummary }> {
    if ((opts.to === undefined) === (opts.inPlace !== true)) throw new SyncError('InvalidArgument', 'restore needs either a folder to write into or in-place, not both');
    const at = this.pointInTime(opts.at);
    const source = {
      versions: this.state.allVersions(),
      storage: this.storage,
      codec: this.options.codec,
      locate: (h: string) => chunkLocations(this.state, h),
      concurrency: this.options.fetchConcurrency,
    };
    const request = { paths: opts.paths ?? [], at, signal: opts.signal, onProgress: opts.onProgress };
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
    };
    const outcome = await restoreEntries(source, { ...request, target });
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

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.state.close();
    await this.lock.release();
    await this.remote.close?.();
  }
}
