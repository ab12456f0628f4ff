/**
 * Always-on sync: rounds for as long as the caller wants, started by what changes. A local change
 * (file-system events through @parcel/watcher: native, one inotify watch per folder where
 * chokidar took one per file, 20,000 for a 20,000-file library, past many systems' limit of
 * 8,192, and 150 MB) starts a round once the folder has been quiet for `settleMs`, so a file
 * being saved is taken whole. The remote is
 * looked at every `intervalMs`, with one listing and nothing else (no scan of the folder): a round
 * runs only when it shows a segment this node has not applied. Where the backend has a change
 * feed, the listing waits for the feed to tell of a change (watch-feed.ts). A full round every `rescanMs`
 * is the safety net for changes no event reported (network shares, editors that replace files,
 * an event queue that overflowed). A round that fails (the remote unreachable: an offline laptop, a NAS asleep)
 * is tried again with back-off and jitter, up to `maxBackoffMs`; meanwhile a local change is
 * staged in the outbox as soon as it settles, so it is safe whatever happens to the file next. The signal stops it: the round
 * under way is abandoned safely (every step is crash-safe) and the promise resolves.
 */
import { relative, sep } from 'node:path';
import type { AsyncSubscription } from '@parcel/watcher';
import { loadPathRules, type ExcludeOption } from '../local/ignore-rules.js';
import type { ChangeFeed } from '../storage/contract.js';
import type { SyncSummary } from './sync-summary.js';
import { FeedFollower } from './watch-feed.js';
import { MountWatch, type MountsChange } from './watch-mounts.js';
import type { MountPointsOption } from '../local/mount-points.js';

/** The state folder (when it lives in the library): what a round writes there is not a change. */
const STATE_DIR_NAME = '.syncacross';
/** How long the watch's filter of local changes keeps the exclude patterns it asked for. */
const RULES_FRESH_MS = 5_000;

/** What `Library.watch` takes. */
export interface WatchOptions {
  /** Stops the watch (required: a watch runs until it fires); the round under way is aborted. */
  signal: AbortSignal;
  /** Between looks at the remote when nothing changes here (default 60 s). */
  intervalMs?: number;
  /** Quiet time after the last local change before a round starts (default 1 s). */
  settleMs?: number;
  /** A full round (the folder scanned) at least this often, events or not (default 10 min). */
  rescanMs?: number;
  /** The longest wait between attempts while rounds fail (default 5 min). */
  maxBackoffMs?: number;
  /** Between looks at the library's mount points and, on Linux, the disks mounted in it (default 5 s): a disk coming or going is said and looked at (watch-mounts.ts). */
  mountPollMs?: number;
  /** Each round's summary, or what made it fail. */
  onRound?: (result: { summary: SyncSummary } | { error: Error }) => void;
  /** What the person running the watch should know besides rounds: local changes cannot be watched, say. */
  onNotice?: (message: string) => void;
}

/** What watching needs of a library (Library provides it). */
export interface Watchable {
  readonly dir: string;
  /** This node's exclude patterns (`LibraryOptions.exclude`): changes there start no round. */
  readonly exclude?: ExcludeOption;
  /** Folders that are other disks or shares (`LibraryOptions.mountPoints`): looked at every `mountPollMs`. */
  readonly mountPoints?: MountPointsOption;
  /** `seenByWatch`: folders where this watch saw a disk mounted, counted as mount points (watch-mounts.ts). */
  sync(opts: { signal?: AbortSignal; confirmDeletions?: boolean; seenByWatch?: readonly string[] }): Promise<SyncSummary>;
  /** Whether the remote shows something this node has not applied (one listing, no change here). */
  hasRemoteNews(): Promise<boolean>;
  /** The backend's change feed (`Storage.changeFeed`), where it has one: heard instead of listing on the interval (watch-feed.ts). */
  readonly changeFeed?: ChangeFeed;
  /** Takes local changes into the outbox with no request (outbox/): while the remote is unreachable. */
  capture?(opts: { signal?: AbortSignal }): Promise<unknown>;
}

/** A handle to ask a running watch for a round now (a `sync` command while `watch` runs). */
export interface WatchTrigger {
  /** Resolves with the next round to start after this call; with `confirmDeletions`, that round publishes deletions it would hold back (held-deletions.ts). */
  roundNow(opts?: { confirmDeletions?: boolean }): Promise<SyncSummary>;
  /** The folders (not mount points of the library) where this watch saw a disk mounted: its rounds count them as mount points (`SyncOptions.seenByWatch`). */
  seenMounted(): string[];
}

type Waiter = { resolve: (s: SyncSummary) => void; reject: (e: Error) => void; confirmDeletions: boolean };

export function watchLibrary(library: Watchable, options: WatchOptions): { done: Promise<void>; trigger: WatchTrigger } {
  const w = new LibraryWatch(library, options);
  return { done: w.run(), trigger: { roundNow: (opts) => w.roundNow(opts?.confirmDeletions === true), seenMounted: () => w.seenMounted() } };
}

class LibraryWatch {
  private readonly signal: AbortSignal;
  private subscription: AsyncSubscription | undefined;
  /** The person was told local changes are not watched (said once). */
  private toldUnwatched = false;
  private lastChange = 0;
  private dirty = false;
  private wake: (() => void) | undefined;
  private readonly waiters: Waiter[] = [];
  private feed: FeedFollower | undefined;
  /** A `wait` feed told of a change since the last round started. */
  private remoteNews = false;
  private mounts: MountWatch | undefined;

  constructor(
    private readonly library: Watchable,
    private readonly options: WatchOptions,
  ) {
    this.signal = options.signal;
    this.signal.addEventListener('abort', () => this.poke(), { once: true });
  }

  /** Local changes mark the folder dirty; what the state folder or the ignore rules cover does not. */
  private async watchFolder(): Promise<void> {
    const { dir } = this.library;
    // Asked again every few seconds at most: patterns added while the watch runs (a function
    // reading a config) reach the filter too, not only the rounds.
    let rules = loadPathRules(dir, this.library.exclude);
    let rulesAt = Date.now();
    const counts = (path: string) => {
      if (Date.now() - rulesAt > RULES_FRESH_MS) [rules, rulesAt] = [loadPathRules(dir, this.library.exclude), Date.now()];
      const rel = relative(dir, path).split(sep).join('/');
      return rel !== '' && !rel.startsWith('..') && rel !== STATE_DIR_NAME && !rel.startsWith(`${STATE_DIR_NAME}/`) && !rules.ignores(rel);
    };
    try {
      // Loaded here, not at the top: on a platform with no prebuilt watcher the import throws, and
      // that must cost only the events (the library, and watch with full scans, still work).
      const { subscribe } = await import('@parcel/watcher');
      this.subscription = await subscribe(
        dir,
        (error, events) => {
          if (error) return this.unwatched(error);
          if (!events.some((e) => counts(e.path))) return;
          this.dirty = true;
          this.lastChange = Date.now();
          this.poke();
        },
        { ignore: [STATE_DIR_NAME] },
      );
    } catch (e) {
      this.unwatched(e as Error); // no events here (a file system without them, a watch limit reached)
    }
  }

  /**
   * Local changes cannot be (or no longer are) watched: every wake scans the folder (`rescanMs` is 0
   * without a subscription), so nothing is missed, only found later; said once, with what to do.
   * Before, it was said nowhere, and a watch limit reached looked like a watch that worked.
   */
  private unwatched(error: Error): void {
    // Events that stopped coming (an error after subscribing) are given up too: scans take over.
    void this.subscription?.unsubscribe().catch(() => undefined);
    this.subscription = undefined;
    if (this.toldUnwatched) return;
    this.toldUnwatched = true;
    const limit = /no space left|ENOSPC/i.test(error.message) && process.platform === 'linux' ? '; raise the inotify watch limit (fs.inotify.max_user_watches) for events' : '';
    this.options.onNotice?.(`local changes cannot be watched (${error.message}): they are found by a scan of the folder every ${(this.options.intervalMs ?? 60_000) / 1000}s instead${limit}`);
  }

  /**
   * A disk came or went (watch-mounts.ts). The file-system events of a disk mounted after the
   * folder was subscribed never arrive (inotify watches the folder below the mount, not the
   * disk's), nor those of the folder below once it is unmounted, so the subscription is made
   * again; and, when it says so, a round looks now: it writes what waited for the disk and finds
   * what was changed on it elsewhere, which no event told of.
   */
  private async mountsChanged(change: MountsChange): Promise<void> {
    for (const message of change.messages) this.options.onNotice?.(message);
    if (this.subscription) {
      await this.subscription.unsubscribe().catch(() => undefined);
      this.subscription = undefined;
      await this.watchFolder();
    }
    if (!change.round) return;
    this.dirty = true;
    this.lastChange = Date.now();
    this.poke();
  }

  private poke(): void {
    this.wake?.();
  }

  private stopped(): Error {
    return this.signal.reason instanceof Error ? this.signal.reason : new Error('watch stopped');
  }

  seenMounted = (): string[] => this.mounts?.seenMounted() ?? [];

  roundNow(confirmDeletions: boolean): Promise<SyncSummary> {
    return new Promise<SyncSummary>((resolve, reject) => {
      if (this.signal.aborted) return reject(this.stopped());
      this.waiters.push({ resolve, reject, confirmDeletions });
      this.poke();
    });
  }

  /** Sleeps until `ms` passed, a change settled, a round was asked for, or the signal fired. */
  private async pause(ms: number): Promise<void> {
    const settleMs = this.options.settleMs ?? 1000;
    const until = Date.now() + ms;
    while (!this.signal.aborted && this.waiters.length === 0 && !this.remoteNews && Date.now() < until) {
      if (this.dirty && Date.now() - this.lastChange >= settleMs) return;
      const next = this.dirty ? Math.min(until, this.lastChange + settleMs) : until;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.max(0, next - Date.now()));
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  /**
   * One round; returns whether it failed (the signal firing is not a failure: the loop ends).
   * While the remote is unreachable, a local change is staged first, at once, before the round
   * spends its retries on the remote (the round stages it too, but only once those are spent).
   */
  private async round(offline: boolean): Promise<boolean> {
    if (offline && this.dirty && this.library.capture) await this.library.capture({ signal: this.signal }).catch(() => undefined);
    this.dirty = false;
    this.remoteNews = false; // the round lists: a change heard from now on is for the next one
    const asked = this.waiters.splice(0);
    try {
      // Deletions are confirmed for the round a `sync --confirm-deletions` asked for, never for the watch's own.
      const seenByWatch = this.seenMounted();
      const summary = await this.library.sync({ signal: this.signal, confirmDeletions: asked.some((w) => w.confirmDeletions), ...(seenByWatch.length > 0 ? { seenByWatch } : {}) });
      for (const w of asked) w.resolve(summary);
      this.options.onRound?.({ summary });
      return false;
    } catch (e) {
      for (const w of asked) w.reject(e as Error);
      if (!this.signal.aborted) this.options.onRound?.({ error: e as Error });
      return true;
    }
  }

  /**
   * Whether a round is due: a local change settled, a round was asked for, the rescan is due, or
   * the remote has news. A look at the remote that fails makes a round due: the round reports it.
   */
  private async due(lastRound: number): Promise<boolean> {
    // Without file-system events, every look is a full round: nothing else would see a local change.
    const rescanMs = this.subscription ? (this.options.rescanMs ?? 10 * 60_000) : 0;
    if (this.dirty || this.waiters.length > 0 || Date.now() - lastRound >= rescanMs) return true;
    if (!(await this.feedSaysLook())) return false;
    try {
      return await this.library.hasRemoteNews();
    } catch {
      return !this.signal.aborted;
    }
  }

  /**
   * Whether to list `log/` now: always without a feed; with a `poll` feed, when a look at it says
   * something changed (or it failed); with a `wait` feed, when it told of a change (or is down).
   */
  private async feedSaysLook(): Promise<boolean> {
    const feed = this.feed;
    if (!feed) return true;
    if (feed.mode === 'poll') return (await feed.poll()) !== false;
    const heard = this.remoteNews;
    this.remoteNews = false;
    return heard || !feed.healthy;
  }

  /** Takes the feed's position before the first round (so nothing during it is missed); a `wait` feed is then followed in the background. */
  private async startFeed(maxBackoffMs: number): Promise<void> {
    const changeFeed = this.library.changeFeed;
    if (!changeFeed) return;
    const onChange = () => {
      this.remoteNews = true;
      this.poke();
    };
    this.feed = new FeedFollower(changeFeed, this.signal, onChange, maxBackoffMs);
    await this.feed.start();
    // Not awaited: it ends when the signal fires (a feed that ignores the signal must not hold the watch).
    if (this.feed.mode === 'wait') void this.feed.follow();
  }

  async run(): Promise<void> {
    const intervalMs = this.options.intervalMs ?? 60_000;
    const maxBackoffMs = this.options.maxBackoffMs ?? 5 * 60_000;
    let failures = 0;
    let lastRound = 0;
    await this.watchFolder();
    await this.startFeed(maxBackoffMs);
    const mounts = new MountWatch(this.library, this.options.mountPollMs ?? 5_000, (change) => this.mountsChanged(change));
    this.mounts = mounts;
    for (const message of mounts.atStart()) this.options.onNotice?.(message);
    try {
      while (!this.signal.aborted) {
        if (failures > 0 || (await this.due(lastRound))) {
          failures = (await this.round(failures > 0)) ? failures + 1 : 0;
          lastRound = Date.now();
        }
        // Back-off with jitter while rounds fail; a local change still wakes it (it may be why).
        await this.pause(failures === 0 ? intervalMs : Math.min(maxBackoffMs, 1000 * 2 ** Math.min(failures, 16)) * (0.5 + Math.random() / 2));
      }
    } finally {
      mounts.stop();
      // A disk unmounted under a watched folder leaves watches the kernel already dropped: removing them fails (EINVAL), and nothing is left to do.
      await this.subscription?.unsubscribe().catch(() => undefined);
      for (const w of this.waiters.splice(0)) w.reject(this.stopped());
    }
  }
}
