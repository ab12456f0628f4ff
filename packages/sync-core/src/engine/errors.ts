/** Engine errors with stable codes (the CLI maps them to exit codes and messages). */
export const SYNC_ERROR_CODES = [
  'LibraryBusy', // another process owns the library
  'NotARepository', // the remote has data but no syncacross repository
  'RepositoryMismatch', // the remote holds a different repository than this library joined
  'RemoteEmptied', // the library joined a repository that is no longer on the remote
  'NotInitialized', // the library has no .syncacross state yet
  'CorruptRemote', // segments or packs failed verification (listed in the message)
  'Aborted',
] as const;
export type SyncErrorCode = (typeof SYNC_ERROR_CODES)[number];

export class SyncError extends Error {
  readonly code: SyncErrorCode;
  constructor(code: SyncErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SyncError';
    this.code = code;
  }
}

export const isSyncError = (e: unknown, code?: SyncErrorCode): e is SyncError =>
  typeof e === 'object' && e !== null && (e as { name?: string }).name === 'SyncError' && (code === undefined || (e as SyncError).code === code);

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
