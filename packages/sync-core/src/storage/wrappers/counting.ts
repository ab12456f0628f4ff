/**
 * Counts requests by kind and bytes moved; the CLI's --json summary and the benchmark read it.
 * The engine puts it outside withRetry, so it counts the requests the engine makes, not attempts.
 */
import type { Storage } from '../contract.js';
import { forwardAll } from './forward.js';

export type RequestKind = 'putIfAbsent' | 'get' | 'list' | 'delete' | 'putIfMatch';

export interface StorageStats {
  requests: Record<RequestKind, number>;
  failures: number;
  bytesUp: number;
  bytesDown: number;
}

export interface CountingStorage extends Storage {
  readonly stats: StorageStats;
  resetStats(): void;
  totalRequests(): number;
}

const zero = (): StorageStats => ({
  requests: { putIfAbsent: 0, get: 0, list: 0, delete: 0, putIfMatch: 0 },
  failures: 0,
  bytesUp: 0,
  bytesDown: 0,
});

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
      Object.assign(stats, zero());
    },
    totalRequests() {
      return Object.values(stats.requests).reduce((a, b) => a + b, 0);
    },
  }) as CountingStorage;
}
