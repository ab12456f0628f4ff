/**
 * `waitFor(condition, what)`: the one way tests wait. A test that sleeps and then asserts passes
 * or fails with the machine's load; one that awaits a condition under a generous deadline fails
 * only when the condition never comes, and then says which.
 */
export interface WaitForOptions {
  /** Give up after this long, ms. Default 30 s: generous on a loaded 2-core machine. */
  timeoutMs?: number;
  /** Poll interval, ms. Default 20. */
  intervalMs?: number;
}

/** Resolves once `condition` holds (polled); throws, naming `what`, if it has not by the timeout. */
export async function waitFor(condition: () => boolean | Promise<boolean>, what: string, options: WaitForOptions = {}): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`waited ${timeoutMs / 1000} s for ${what}, in vain`);
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 20));
  }
}
