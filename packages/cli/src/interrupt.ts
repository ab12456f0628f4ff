/** Ctrl-C and SIGTERM for long commands: one AbortSignal, and exit 130 whatever it cut short. */
import { SyncError } from '@syncacross/sync-core';

/**
 * Runs `fn` with a signal that SIGINT or SIGTERM fires. The reason is a SyncError `Aborted`, and
 * whatever `fn` throws once the signal fired is replaced by it: a request cut short fails as its
 * adapter says (often Unavailable), and must still read as interrupted (exit 130).
 */
export async function withInterrupt<T>(what: string, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const abort = new AbortController();
  const onSignal = () => abort.abort(new SyncError('Aborted', `${what} aborted`));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    return await fn(abort.signal);
  } catch (e) {
    if (abort.signal.aborted) throw abort.signal.reason;
    throw e;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
