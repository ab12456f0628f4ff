/**
 * Retries transient failures (Unavailable, RateLimited) with truncated exponential back-off and
 * full jitter, honoring the backend's Retry-After. A throttling answer pauses every request that
 * goes through this wrapper, not just the one that got it (OneDrive and Dropbox throttle per
 * account; hammering with the other requests only extends the penalty).
 *
 * A retried putIfAbsent whose first attempt took effect answers `exists`: callers that need to
 * know whether the object is *theirs* compare content (write-once keys make that safe).
 */
import type { Storage } from '../contract.js';
import { isStorageError, isTransient } from '../errors.js';
import { forwardAll } from './forward.js';

/** How `withRetry` backs off (`LibraryOptions.retry`); every field is optional. */
export interface RetryOptions {
  /** Attempts after the first. Default 8. */
  retries?: number;
  /** The back-off before the first retry, doubling with each attempt, with full jitter; also the jitter added to a Retry-After (ms, default 200). */
  baseDelayMs?: number; // default 200
  /** The longest wait before one retry, a Retry-After included (ms, default 60,000). */
  maxDelayMs?: number; // default 60_000
  /** A number in [0, 1) for the jitter (default `Math.random`); a seeded one makes delays repeatable. */
  random?: () => number;
  /** Waits `ms`, rejecting when `signal` fires (default a timer); tests pass a fake clock's. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** The clock, in ms, that a throttling pause is measured on (default `Date.now`). */
  now?: () => number;
  /** Called before each wait: the operation (`get`, `list`, …), the retry's number from 1, the delay in ms, and the error that caused it. */
  onRetry?: (info: { operation: string; attempt: number; delayMs: number; error: unknown }) => void;
  /** Stops a wait between attempts (the wait rejects with the signal's reason); not the request itself. */
  signal?: AbortSignal;
}

const defaultSleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/**
 * Wraps a storage so transient failures (`Unavailable`, `RateLimited`) are retried as
 * `options` say; permanent ones are thrown at once, and so is the last transient one.
 */
export function withRetry(inner: Storage, options: RetryOptions = {}): Storage {
  const retries = options.retries ?? 8;
  const base = options.baseDelayMs ?? 200;
  const max = options.maxDelayMs ?? 60_000;
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? defaultSleep;
  const now = options.now ?? Date.now;
  let pausedUntil = 0; // shared pause after a RateLimited answer

  async function run<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const wait = pausedUntil - now();
      if (wait > 0) await sleep(wait, options.signal);
      try {
        return await fn();
      } catch (error) {
        if (!isTransient(error) || attempt >= retries) throw error;
        const backoff = Math.min(max, base * 2 ** attempt) * random();
        const asked = isStorageError(error, 'RateLimited') ? error.retryAfterMs : undefined;
        // Retry-After is a floor; jitter on top keeps many clients from returning in lockstep.
        const delayMs = asked !== undefined ? Math.min(asked, max) + random() * base : backoff;
        if (isStorageError(error, 'RateLimited')) pausedUntil = Math.max(pausedUntil, now() + delayMs);
        options.onRetry?.({ operation, attempt: attempt + 1, delayMs, error });
        await sleep(delayMs, options.signal);
      }
    }
  }

  return forwardAll(inner, {
    putIfAbsent: (key, bytes) => run('putIfAbsent', () => inner.putIfAbsent(key, bytes)),
    get: (key, o) => run('get', () => inner.get(key, o)),
    list: (prefix, o) => run('list', () => inner.list(prefix, o)),
    delete: inner.delete && ((key) => run('delete', () => inner.delete!(key))),
    // A retried CAS whose first attempt landed fails with PreconditionFailed: that is the honest
    // answer (the etag moved), and callers of CAS re-read anyway.
    putIfMatch: inner.putIfMatch && ((key, bytes, etag) => run('putIfMatch', () => inner.putIfMatch!(key, bytes, etag))),
  });
}
