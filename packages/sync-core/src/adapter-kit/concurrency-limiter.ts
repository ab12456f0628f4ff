/**
 * Caps how many tasks are in flight at once (servers, NAS boxes especially, choke on bursts).
 * Tasks start in the order they asked: a finished task hands its slot straight to the oldest
 * waiter, so the count never dips and lets a newcomer jump the queue.
 */
export class ConcurrencyLimiter {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    /** The most tasks in flight at once: a positive integer (anything else throws a RangeError). */
    readonly max: number,
  ) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`a concurrency limit must be a positive integer, not ${max}`);
  }

  /** Runs `task` once a slot is free (at once if one is); settles as the task does, and frees the slot either way. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.max) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}
