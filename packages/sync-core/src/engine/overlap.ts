/**
 * Runs tasks in the order given with up to `limit` under way at once; a task marked `alone` waits
 * for everything before it and runs by itself. The first failure is thrown once every task under
 * way has ended, so nothing is left half done behind an error (write-versions.ts).
 */
export class Overlap {
  private readonly running = new Set<Promise<void>>();
  private failure: { error: unknown } | undefined;

  constructor(private readonly limit: number) {}

  async run(task: () => Promise<void>, alone: boolean): Promise<void> {
    await this.settle(alone || this.limit <= 1 ? 0 : this.limit - 1);
    const p: Promise<void> = task().then(
      () => void this.running.delete(p),
      (e: unknown) => {
        this.running.delete(p);
        this.failure ??= { error: e };
      },
    );
    this.running.add(p);
    if (alone || this.limit <= 1) await this.settle(0);
  }

  /** Waits until at most `limit` tasks are under way; throws the first failure. */
  async settle(limit = 0): Promise<void> {
    await this.drain(limit);
    if (this.failure) throw this.failure.error;
  }

  /** Waits for the tasks under way, whatever happened (for a `finally`). */
  async drain(limit = 0): Promise<void> {
    while (this.running.size > limit) await Promise.race(this.running);
  }
}
