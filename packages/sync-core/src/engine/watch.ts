/**
 * Always-on sync: rounds for as long as the caller wants, started by what changes. A local change
 * (file-system events through chokidar, the watcher most Node tools use) starts a round once the
 * folder has been quiet for `settleMs`, so a file being saved is taken whole; the remote is
 * looked at every `intervalMs` (a round with nothing new costs one listing, docs/PROTOCOL.md §7),
 * which is also the safety net for changes no event reported (network shares, editors that
 * replace files). A round that fails (the remote unreachable: an offline laptop, a NAS asleep)
 * is tried again with back-off and jitter, up to `maxBackoffMs`. The signal stops it: the round
 * under way is abandoned safely (every step is crash-safe) and the promise resolves.
 */
import { relative, sep } from 'node:path';
import { watch as watchFolder, type FSWatcher } from 'chokidar';
import { loadIgnoreRules } from '../local/ignore-rules.js';
import type { SyncSummary } from './sync-summary.js';

/** The state folder (when it lives in the library): what a round writes there is not a change. */
const STATE_DIR_NAME = '.syncacross';

export interface WatchOptions {
  signal: AbortSignal;
  /** Between looks at the remote when nothing changes here (default 60 s). */
  intervalMs?: number;
  /** Quiet time after the last local change before a round starts (default 1 s). */
  settleMs?: number;
  /** The longest wait between attempts while rounds fail (default 5 min). */
  maxBackoffMs?: number;
  /** Each round's summary, or what made it fail. */
  onRound?: (result: { summary: SyncSummary } | { error: Error }) => void;
}

/** What watching needs of a library (Library implements it). */
export interface Watchable {
  readonly dir: string;
  sync(opts: { signal?: AbortSignal }): Promise<SyncSummary>;
}

/** A handle to ask a running watch for a round now (a `sync` command while `watch` runs). */
export interface WatchTrigger {
  /** Resolves with the next round to start after this call. */
  roundNow(): Promise<SyncSummary>;
}

type Waiter = { resolve: (s: SyncSummary) => void; reject: (e: Error) => void };

export function watchLibrary(library: Watchable, options: WatchOptions): { done: Promise<void>; trigger: WatchTrigger } {
  const w = new LibraryWatch(library, options);
  return { done: w.run(), trigger: { roundNow: () => w.roundNow() } };
}

class LibraryWatch {
  private readonly signal: AbortSignal;
  private readonly watcher: FSWatcher;
  private lastChange = 0;
  private dirty = false;
  private wake: (() => void) | undefined;
  private readonly waiters: Waiter[] = [];

  constructor(
    private readonly library: Watchable,
    private readonly options: WatchOptions,
  ) {
    this.signal = options.signal;
    const rules = loadIgnoreRules(library.dir);
    const ignored = (path: string) => {
      const rel = relative(library.dir, path).split(sep).join('/');
      return rel === STATE_DIR_NAME || rel.startsWith(`${STATE_DIR_NAME}/`) || (rel !== '' && !rel.startsWith('..') && rules.ignores(rel));
    };
    this.watcher = watchFolder(library.dir, { ignoreInitial: true, followSymlinks: false, ignored });
    this.watcher.on('all', () => {
      this.dirty = true;
      this.lastChange = Date.now();
      this.poke();
    });
    // A watcher that fails (too many folders for inotify, say) leaves the interval as the safety net.
    this.watcher.on('error', () => undefined);
    this.signal.addEventListener('abort', () => this.poke(), { once: true });
  }

  private poke(): void {
    this.wake?.();
  }

  private stopped(): Error {
    return this.signal.reason instanceof Error ? this.signal.reason : new Error('watch stopped');
  }

  roundNow(): Promise<SyncSummary> {
    return new Promise<SyncSummary>((resolve, reject) => {
      if (this.signal.aborted) return reject(this.stopped());
      this.waiters.push({ resolve, reject });
      this.poke();
    });
  }

  /** Sleeps until `ms` passed, a change settled, a round was asked for, or the signal fired. */
  private async pause(ms: number): Promise<void> {
    const settleMs = this.options.settleMs ?? 1000;
    const until = Date.now() + ms;
    while (!this.signal.aborted && this.waiters.length === 0 && Date.now() < until) {
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

  /** One round; returns whether it failed (the signal firing is not a failure: the loop ends). */
  private async round(): Promise<boolean> {
    this.dirty = false;
    const asked = this.waiters.splice(0);
    try {
      const summary = await this.library.sync({ signal: this.signal });
      for (const w of asked) w.resolve(summary);
      this.options.onRound?.({ summary });
      return false;
    } catch (e) {
      for (const w of asked) w.reject(e as Error);
      if (!this.signal.aborted) this.options.onRound?.({ error: e as Error });
      return true;
    }
  }

  async run(): Promise<void> {
    const intervalMs = this.options.intervalMs ?? 60_000;
    const maxBackoffMs = this.options.maxBackoffMs ?? 5 * 60_000;
    let failures = 0;
    try {
      while (!this.signal.aborted) {
        failures = (await this.round()) ? failures + 1 : 0;
        // Back-off with jitter while rounds fail; a local change still wakes it (it may be why).
        await this.pause(failures === 0 ? intervalMs : Math.min(maxBackoffMs, 1000 * 2 ** Math.min(failures, 16)) * (0.5 + Math.random() / 2));
      }
    } finally {
      await this.watcher.close();
      for (const w of this.waiters.splice(0)) w.reject(this.stopped());
    }
  }
}
