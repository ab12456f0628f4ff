/**
 * Where long loops stop when asked to: the CLI aborts the signal on Ctrl-C, and the next check
 * throws `SyncError('Aborted')`. Used by the engine and by local file work alike.
 */
import { SyncError } from './sync-error.js';

/** Long loops call this between items: Ctrl-C (the CLI aborts the signal) stops at the next one. */
export function checkAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw new SyncError('Aborted', 'sync aborted');
}

const YIELD_EVERY_MS = 50;
let lastYield = 0;

/**
 * checkAborted for loops whose awaits may all resolve without I/O (chunks served from a window
 * already read, synchronous stats and writes): such a loop never lets the event loop run, so the
 * signal handler that aborts never runs either, and Ctrl-C on a terminal was ignored until the
 * whole download was done. At most every 50 ms this yields one turn of the event loop first.
 * Without a signal it never yields (the simulation stays deterministic).
 */
export async function abortPoint(signal?: AbortSignal): Promise<void> {
  if (signal && Date.now() - lastYield >= YIELD_EVERY_MS) {
    lastYield = Date.now();
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  checkAborted(signal);
}
