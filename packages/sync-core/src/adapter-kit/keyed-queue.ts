/**
 * Per-key serialisation inside one process: `run(key, fn)` starts `fn` once every earlier call
 * on the same key has settled (fulfilled or rejected: one failure does not fail the calls queued
 * behind it), while calls on different keys run side by side. Adapters use it where two
 * interleaved requests on one key could apply an older answer last, or where check-then-write
 * must not race with itself. It says nothing about other processes: that is the contract's job.
 */
export class KeyedQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  /** Runs `fn` after every earlier call on `key` has settled; settles as `fn` does. */
  run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const run = (this.tails.get(key) ?? Promise.resolve()).then(fn);
    const tail = run.catch(() => undefined);
    this.tails.set(key, tail);
    // Forget the key once nothing more is queued on it, so the map holds only busy keys.
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return run;
  }

  /** Keys with a call queued or running. */
  get busyKeys(): number {
    return this.tails.size;
  }
}
