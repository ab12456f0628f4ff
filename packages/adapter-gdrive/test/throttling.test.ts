/**
 * Throttling on Drive: 403 userRateLimitExceeded/rateLimitExceeded and 429 surface as
 * RateLimited (Retry-After honored when sent), 5xx as Unavailable, for POST creates too, since
 * the client library retries neither. The engine's withRetry does the backing off.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isStorageError, listAll, withCounting, withRetry, type StorageError } from '@syncacross/sync-core';
import { serveFetchHandler } from '@syncacross/sync-core/testing';
import { createDriveEmulator } from '../src/emulator/index.js';
import { optionsFor } from './support/emulator.js';
import { createGdriveStorage } from '@syncacross/adapter-gdrive';
import type { InjectableError } from '../src/emulator/index.js';
import { mswServer, newEmulator, storageOn } from './support/emulator.js';

beforeAll(() => mswServer.listen({ onUnhandledRequest: 'bypass' }));
afterAll(() => mswServer.close());

const text = (s: string) => new TextEncoder().encode(s);
const COUNT = 1_500;

describe('gdrive throttling', () => {
  const cases: [InjectableError, string, number | undefined][] = [
    ['userRateLimitExceeded', 'RateLimited', undefined],
    ['rateLimitExceeded', 'RateLimited', 2_000],
    ['429', 'RateLimited', 7_000],
    ['500', 'Unavailable', undefined],
    ['502', 'Unavailable', undefined],
    ['503', 'Unavailable', undefined],
    // A 503 that names its wait is throttling in every adapter (the adapter kit's status table).
    ['503', 'RateLimited', 3_000],
  ];
  for (const [error, code, retryAfterMs] of cases) {
    it(`maps ${error} to ${code} on a create (POST), a read and a listing`, async () => {
      const { emulator, rootUrl } = newEmulator();
      const s = await storageOn(emulator, rootUrl);
      await s.putIfAbsent('log/known', text('k'));
      const retryAfterSeconds = retryAfterMs === undefined ? undefined : retryAfterMs / 1000;
      for (const [label, methods, op] of [
        ['create', ['POST'], () => s.putIfAbsent('log/new', text('n'))],
        ['get', ['GET'], () => s.get('log/known')],
        ['list', ['GET'], () => s.list('log/')],
      ] as const) {
        emulator.inject({ error, methods: [...methods], retryAfterSeconds });
        const e = (await op().catch((x: unknown) => x)) as StorageError;
        expect(isStorageError(e, code as never), `${label}: ${String(e)}`).toBe(true);
        expect(e.retryAfterMs, label).toBe(retryAfterMs);
      }
      expect(await s.putIfAbsent('log/new', text('n'))).toBe('created'); // nothing half-done was left behind
    });
  }

  it('uploads a 1,500-object library under an emulated write quota, with progress, every object present', async () => {
    // Drive's per-user write quota is a few writes per second; 3 writes/s for 1,500 objects would
    // take 8 minutes, so time is scaled 100x: 3 writes per 10 ms windows, same shape of storm.
    // On this project's 2-core machines the client (googleapis + the in-process emulator) manages
    // about 150 requests/s under vitest: 1,500 objects (past the storm below many times over)
    // take about 30 s; 5,000 took 100 s, and up to 300 s under load, for no more coverage.
    // The emulator runs as a real local HTTP server here (msw's interception costs more CPU).
    const emulator = createDriveEmulator({ writeQuota: { writes: 3, windowMs: 10 } });
    // Plus a storm at the start: creates refused with Drive's 403s, and 429s with Retry-After: 0.
    emulator.inject({ error: 'userRateLimitExceeded', times: 150, methods: ['POST'] });
    emulator.inject({ error: '429', times: 30, retryAfterSeconds: 0 });
    const server = await serveFetchHandler(emulator.handle);
    const counted = withCounting(await createGdriveStorage(optionsFor(emulator, `${server.url}/`)));
    let retries = 0;
    const storage = withRetry(counted, { baseDelayMs: 1, maxDelayMs: 100, retries: 200, onRetry: () => retries++ });
    const keys = Array.from({ length: COUNT }, (_, i) => `packs/w${i % 4}/${String(i).padStart(5, '0')}-h`);
    let done = 0;
    const started = Date.now();
    const queue = [...keys];
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        for (let key = queue.shift(); key !== undefined; key = queue.shift()) {
          expect(await storage.putIfAbsent(key, text(key))).toBe('created');
          if (++done % 500 === 0) console.log(`progress: ${done}/${COUNT} uploaded, ${retries} retries, ${emulator.stats.throttled} throttled answers`);
        }
      }),
    );
    const listed = await listAll(storage, 'packs/');
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log(
      `${COUNT} objects in ${seconds}s: ${emulator.stats.total} HTTP requests to the emulator (${emulator.stats.requests.upload} uploads, ` +
        `${emulator.stats.requests.list} searches, ${emulator.stats.requests.create} folder creates), ${emulator.stats.throttled} answered 403 userRateLimitExceeded, ` +
        `${retries} retries by withRetry, ${counted.totalRequests()} storage calls`,
    );
    expect(listed.map((o) => o.key)).toEqual([...keys].sort());
    expect(emulator.stats.throttled).toBeGreaterThan(0);
    expect(retries).toBeGreaterThanOrEqual(emulator.stats.throttled);
    expect(emulator.files().filter((f) => f.mimeType !== 'application/vnd.google-apps.folder')).toHaveLength(COUNT); // no duplicates from retries
    await server.close();
  }, 300_000);
});
