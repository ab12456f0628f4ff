/** withTracing tells of each request once, as it ends, with its outcome's code and never an error's message. */
import { describe, expect, it } from 'vitest';
import { StorageError, withTracing, type Storage, type TracedRequest } from '@syncacross/sync-core';
import { createMemoryStorage } from '@syncacross/sync-core/testing';

describe('withTracing', () => {
  it('tells operation, key, bytes and outcome of each request', async () => {
    const told: TracedRequest[] = [];
    const s = withTracing(createMemoryStorage(), (r) => told.push(r));
    await s.putIfAbsent('packs/a', new Uint8Array(5));
    await s.putIfAbsent('packs/a', new Uint8Array(5));
    await s.get('packs/a');
    await s.list('packs/');
    await expect(s.get('packs/missing')).rejects.toMatchObject({ code: 'NotFound' });
    expect(told.map(({ durationMs, ...r }) => (expect(durationMs).toBeGreaterThanOrEqual(0), r))).toEqual([
      { operation: 'putIfAbsent', key: 'packs/a', bytes: 5, outcome: 'created' },
      { operation: 'putIfAbsent', key: 'packs/a', bytes: 5, outcome: 'exists' },
      { operation: 'get', key: 'packs/a', bytes: 5, outcome: 'ok' },
      { operation: 'list', key: 'packs/', bytes: 1, outcome: 'ok' },
      { operation: 'get', key: 'packs/missing', bytes: 0, outcome: 'NotFound' },
    ]);
  });

  it("an adapter's error message (which may quote a token) is never told", async () => {
    const leaky: Storage = { ...createMemoryStorage(), get: async () => Promise.reject(new StorageError('AuthFailed', 'Bearer tok-SECRET refused')) };
    const told: TracedRequest[] = [];
    await expect(withTracing(leaky, (r) => told.push(r)).get('x')).rejects.toThrow();
    expect(JSON.stringify(told)).not.toContain('SECRET');
    expect(told[0]!.outcome).toBe('AuthFailed');
  });
});
