/**
 * Following the backend's change feed during a watch (contract.ts `ChangeFeed`): a long poll
 * (`wait`, Dropbox) tells of a change as it happens, for one request every minute or so; a delta
 * query (`poll`, Graph, Drive) costs one small request per look where a listing of `log/` costs a
 * page per thousand segments. Either only says "look": the watch then lists `log/` once, so a
 * false alarm (the node's own writes, a feed wider than the library) costs one listing. While the
 * feed fails, the watch lists on its interval as it does without one; it is tried again later.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ChangeFeed } from '../storage/contract.js';

export class FeedFollower {
  private cursor: string | undefined;
  private failures = 0;
  /** The position was lost (a failure): whatever changed until a new one was taken is unknown. */
  private lost = false;

  constructor(
    private readonly feed: ChangeFeed,
    private readonly signal: AbortSignal,
    /** Called when the feed says something changed (a `wait` feed, between rounds). */
    private readonly onChange: () => void,
    /** The longest wait between attempts while the feed fails. */
    private readonly maxBackoffMs: number,
  ) {}

  get mode(): ChangeFeed['mode'] {
    return this.feed.mode;
  }

  /** Whether the feed answers now: while it does, the watch need not list on its interval. */
  get healthy(): boolean {
    return this.cursor !== undefined;
  }

  /**
   * Takes the feed's position now: called before the first round, so a change made during it is
   * not missed. A feed that fails here is tried again by `poll`/`follow`.
   */
  async start(): Promise<void> {
    await this.advance(undefined).catch(() => undefined);
  }

  /** One look (`poll` mode): whether anything may have changed; undefined when the feed failed. */
  async poll(): Promise<boolean | undefined> {
    try {
      return await this.advance(this.cursor);
    } catch {
      return undefined;
    }
  }

  /** The long poll (`wait` mode), until the signal fires; never throws. */
  async follow(): Promise<void> {
    while (!this.signal.aborted) {
      try {
        if (await this.advance(this.cursor)) this.onChange();
      } catch {
        if (this.signal.aborted) return;
        const backoffMs = Math.min(this.maxBackoffMs, 1000 * 2 ** Math.min(this.failures, 16)) * (0.5 + Math.random() / 2);
        await sleep(backoffMs, undefined, { signal: this.signal }).catch(() => undefined); // the signal ends the wait, and the loop
      }
    }
  }

  /**
   * Without a position, takes one: a change only if an earlier one was lost (what happened in
   * between is unknown, so the watch lists once). A failure forgets the position: it may be what
   * is wrong (expired), and the watch lists on its interval until a new one is taken.
   */
  private async advance(cursor: string | undefined): Promise<boolean> {
    try {
      const r = await this.feed.next(cursor, this.signal);
      this.cursor = r.cursor;
      this.failures = 0;
      const changed = cursor === undefined ? this.lost : r.changed;
      this.lost = false;
      return changed;
    } catch (e) {
      this.cursor = undefined;
      this.lost = true;
      this.failures++;
      throw e;
    }
  }
}
