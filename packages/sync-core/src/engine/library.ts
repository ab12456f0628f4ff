/**
 * Layer `engine/` (the top): the sync protocol. A round (round.ts) runs its steps (steps/) over
 * the remote (`storage/`) and this machine (`local/`), in the vocabulary of `model/`.
 *
 * A library: a folder kept in sync with a repository on some storage. `openLibrary` creates or
 * joins the repository and takes ownership of the folder's state; `sync()` runs one round:
 * list, fetch and merge, scan, upload packs then the segment, materialize.
 */
import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join, relative, resolve, isAbsolute } from 'node:path';
import type { Storage } from '../storage/contract.js';
import { checkedStorage } from '../storage/checked.js';
import { withCounting, type CountingStorage } from '../storage/wrappers/counting.js';
import { withRetry, type RetryOptions } from '../storage/wrappers/retry.js';
import { loadIgnoreRules } from '../local/ignore-rules.js';
import { acquireLock, type LibraryLock } from '../local/lock.js';
import { LocalState, type LocalRecord } from '../local/state.js';
import { DEFAULT_CHUNKING, type ChunkingParams } from '../model/chunker.js';
import { DEFAULT_PACK_SIZE } from './packs.js';
import { SyncError } from '../model/sync-error.js';
import { createOrJoin } from './repository.js';
import { buildTree, headsByPath, type Tree } from './merge.js';
import { runRound } from './round.js';
import type { RoundContext, RoundOptions } from './round-context.js';
import { HONEST_POLICY, type RoundPolicy } from './round-policy.js';
import type { SyncProgress, SyncSummary } from './sync-summary.js';
import type { HashedVersion } from '../model/version.js';
import { chunkLocations } from './chunk-locations.js';
import { listAt, parsePointInTime, type ListedEntry, type PointInTime } from './point-in-time.js';
import { restoreEntries, type RestoreOptions, type RestoreOutcome } from './restore.js';
import { markPacksLost } from './pack-health.js';
import { verifyRepository } from './repository.js';
import { verifyRemote, type VerifyOptions, type VerifyReport } from './verify.js';
import { settleRecord } from './steps/local-copies.js';

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
  /** Segments fetched in parallel (default 8; the simulation uses 1 for determinism). */
  fetchConcurrency?: number;
}

export interface HistoryEntry {
  hash: string;
  path: string;
  writer: string;
  time: string;
  deleted: boolean;
  size: number;
  parents: string[];
  head: boolean;
}

const sanitizeNode = (name: string) =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 32) || 'node';

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
      rules: loadIgnoreRules(this.dir),
      options: this.options,
      signal: opts.signal,
      progress: (p) => {
        opts.onProgress?.(p);
        this.emit('progress', p);
      },
    };
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
      corruptSegments: this.state.corruptSegments(),
      lastSync: this.state.round.get('lastSync') ?? null,
    };
  }

  history(path?: string): HistoryEntry[] {
    const versions: HashedVersion[] = path === undefined ? this.state.allVersions() : this.state.versionsOf(path.normalize('NFC'));
    const heads = new Set([...headsByPath(versions).values()].flat().map((v) => v.hash));
    return versions
      .sort((a, b) => a.hlc - b.hlc || (a.hash < b.hash ? -1 : 1))
      .map((v) => ({ hash: v.hash, path: v.path, writer: v.writer, time: new Date(v.hlc).toISOString(), deleted: !!v.deleted, size: v.size, parents: v.parents, head: heads.has(v.hash) }));
  }

  /** Reads a moment as people type it (see `RestoreOptions.at`); throws `InvalidArgument`. */
  pointInTime(at = 'now'): PointInTime {
    return parsePointInTime(at, this.options.now(), () => this.state.allVersions());
  }

  /** The tree as it was at `at` (default now) under `path`; with `deleted`, what was deleted by then too. No request. */
  list(opts: { at?: string; path?: string; deleted?: boolean } = {}): ListedEntry[] {
    return listAt(this.state.allVersions(), this.pointInTime(opts.at), opts.path, opts.deleted === true);
  }

  /**
   * Restores files, folders or the whole library as they were at a moment, into another folder or
   * in place. In place, a file changed since the last sync is not touched (reported), and the
   * restored content then syncs like any edit: `sync` is that round's summary.
   */
  async restore(opts: RestoreOptions): Promise<RestoreOutcome & { sync?: SyncSummary }> {
    if ((opts.to === undefined) === (opts.inPlace !== true)) throw new SyncError('InvalidArgument', 'restore needs either a folder to write into or in-place, not both');
    const at = this.pointInTime(opts.at);
    const source = { versions: this.state.allVersions(), storage: this.storage, locate: (h: string) => chunkLocations(this.state, h) };
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

  /**
   * Checks the remote against what this node knows (see verify.ts); changes nothing. With
   * `repair`, packs found missing, short or damaged are given up and this node uploads again what
   * it holds of them (one sync), then checks again: `problems` is what remains.
   */
  async verify(opts: VerifyOptions & { repair?: boolean } = {}): Promise<VerifyOutcome> {
    const repoIds = await verifyRepository(this.storage, this.state.round.get('repo'));
    const report = await verifyRemote(this.storage, this.state, repoIds, opts);
    if (!opts.repair || report.problems.length === 0) return report;
    if (this.options.readOnly) throw new Error('library was opened read-only');
    const packs = [...new Set(report.problems.filter((p) => p.kind.startsWith('pack-')).map((p) => p.object))].sort();
    this.state.transaction(() => markPacksLost(this.state, packs));
    const sync = await this.sync(opts);
    const after = await verifyRemote(this.storage, this.state, repoIds, { ...opts, ...(report.sample ? { seed: report.sample.seed } : {}) });
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

export function openLibrary(o: LibraryOptions): Promise<Library> {
  return openLibraryWithPolicy(o, HONEST_POLICY);
}

/**
 * openLibrary with the round's decisions taken by `policy`: only the simulation passes anything
 * but HONEST_POLICY, to prove its checker catches a broken engine. Not on the main entry; exported
 * from `@syncacross/sync-core/testing`.
 */
export async function openLibraryWithPolicy(o: LibraryOptions, policy: RoundPolicy): Promise<Library> {
  const stateDir = o.stateDir ?? join(o.dir, '.syncacross');
  const now = o.now ?? Date.now;
  const fresh = !(await import('node:fs')).existsSync(join(stateDir, 'state.db'));
  if (fresh && (o.create === false || o.readOnly)) throw new SyncError('NotInitialized', `${o.dir} is not a syncacross library yet: run init first`);
  await mkdir(stateDir, { recursive: true });
  const lock: LibraryLock = o.readOnly ? { release: async () => undefined } : await acquireLock(join(stateDir, 'lock'), o.lockWaitMs ?? 2000);
  let state: LocalState | undefined;
  try {
    state = new LocalState(join(stateDir, 'state.db'), { readonly: o.readOnly === true });
    // From the outside in: counting, retry, checked, the adapter. Counting sees each request the
    // engine makes once however many attempts retry needs (its `failures` are requests that threw
    // in the end); every attempt passes checkedStorage's validation before reaching the adapter.
    const checked = checkedStorage(o.storage);
    const counting = withCounting(o.retry === false ? checked : withRetry(checked, o.retry));
    if (!state.round.get('repo')) {
      if (o.create === false || o.readOnly) throw new SyncError('NotInitialized', `${o.dir} is not a syncacross library yet: run init first`);
      const repo = await createOrJoin(counting, now());
      const node = state.round.get('node') || `${sanitizeNode(o.nodeName ?? hostname())}-${randomBytes(2).toString('hex')}`;
      state.transaction(() => {
        state!.round.set('node', node);
        state!.round.set('writer', `${node}.${randomBytes(4).toString('hex')}`);
        state!.round.set('seq', 0);
        state!.round.set('repo', repo);
      });
    }
    return new Library(o.dir, stateDir, state, lock, counting, o.storage, {
      stableAfterMs: o.stableAfterMs ?? 2000,
      settleWaitMs: o.settleWaitMs ?? 3000,
      roundLimitMs: o.roundLimitMs ?? 10 * 60_000,
      packSize: o.packSize ?? DEFAULT_PACK_SIZE,
      chunking: o.chunking ?? DEFAULT_CHUNKING,
      now,
      fetchConcurrency: o.fetchConcurrency ?? 8,
      policy,
      readOnly: o.readOnly === true,
    });
  } catch (e) {
    state?.close();
    await lock.release();
    throw e;
  }
}
