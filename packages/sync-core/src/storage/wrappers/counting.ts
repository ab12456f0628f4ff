/**
 * Counts requests by kind and bytes moved; the CLI's --json summary and the benchmark read it.
 * The engine puts it outside withRetry, so it counts the requests the engine makes, not attempts.
 */
import type { Storage } from '../contract.js';
import { forwardAll } from './forward.js';

/** A kind of storage request: the name of the `Storage` method that makes it. */
export type RequestKind = 'putIfAbsent' | 'get' | 'list' | 'delete' | 'putIfMatch';

/** What a `CountingStorage` counted since it was made or last reset. */
export interface StorageStats {
  /** Requests made, by kind (one per call, however many attempts a retry below needed). */
  requests: Record<RequestKind, number>;
  /** Requests that threw in the end. */
  failures: number;
  /** Bytes sent (puts), counted as each put starts, whether or not it succeeds. */
  bytesUp: number;
  /** Bytes received (gets that succeeded). */
  bytesDown: number;
}

/** A storage that counts the requests made through it (`withCounting`). */
export interface CountingStorage extends Storage {
  /** The counts so far; updated in place as requests are made. */
  readonly stats: StorageStats;
  /** Sets every count back to 0 (`stats.requests` becomes a new object: read it again after). */
  resetStats(): void;
  /** Requests made in all, every kind added up. */
  totalRequests(): number;
}

const zero = (): StorageStats => ({
  requests: { putIfAbsent: 0, get: 0, list: 0, delete: 0, putIfMatch: 0 },
  failures: 0,
  bytesUp: 0,
  bytesDown: 0,
});

/** Wraps a storage so it counts requests by kind, failures and bytes moved (`CountingStorage.stats`). */
export function withCounting(inner: Storage): CountingStorage {
  const stats = zero();
  async function count<T>(kind: RequestKind, fn: () => Promise<T>): Promise<T> {
    stats.requests[kind]++;
    try {
      return await fn();
    } catch (e) {
      stats.failures++;
      throw e;
    }
  }
  const s = forwardAll(inner, {
    putIfAbsent: (key, bytes) =>
      count('putIfAbsent', async () => {
        stats.bytesUp += bytes.byteLength;
        return inner.putIfAbsent(key, bytes);
      }),
    get: (key, o) =>
      count('get', async () => {
        const b = await inner.get(key, o);
        stats.bytesDown += b.byteLength;
        return b;
      }),
    list: (prefix, o) => count('list', () => inner.list(prefix, o)),
    delete: inner.delete && ((key) => count('delete', () => inner.delete!(key))),
    putIfMatch:
      inner.putIfMatch &&
      ((key, bytes, etag) =>
        count('putIfMatch', async () => {
          stats.bytesUp += bytes.byteLength;
          return inner.putIfMatch!(key, bytes, etag);
        })),
  });
  return Object.assign(s, {
    stats,
    resetStats() {
      // In place, the requests object too: a caller holding `stats.requests` keeps seeing it.
      const { requests, ...rest } = zero();
      Object.assign(stats.requests, requests);
      Object.assign(stats, rest);
    },
    totalRequests() {
      return Object.values(stats.requests).reduce((a, b) => a + b, 0);
    },
  }) as CountingStorage;
}
