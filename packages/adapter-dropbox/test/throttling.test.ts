/**
 * A 5,000-object upload through a write-contention storm: Dropbox answers 429
 * too_many_write_operations with Retry-After (and keeps refusing until it has passed), or
 * reports the contention inside the upload error. Through withRetry the upload completes, every
 * object is there, and every wait was at least what Dropbox asked for.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createDropboxStorage } from '@syncacross/adapter-dropbox';
import { isStorageError, listAll, withRetry } from '@syncacross/sync-core';
import { mswEmulator } from './support/emulator.js';

const env = mswEmulator();
beforeAll(() => env.server.listen({ onUnhandledRequest: 'bypass' }));
afterAll(() => env.server.close());

const COUNT = 5000;
const CONCURRENCY = 16;

it('completes a 5,000-object upload during a contention storm, honoring Retry-After', async () => {
  const emulator = env.reset({ seed: 42 });
  const inner = await createDropboxStorage({ accessToken: emulator.issueAccessToken(), root: '/library' });
  emulator.faults.inject({ routes: /^files\/upload$/, kind: 'too_many_write_operations', retryAfterSeconds: 0.02, probability: 0.01, times: Infinity, penalty: true });
  emulator.faults.inject({ routes: /^files\/upload$/, kind: 'nested_too_many_write_operations', probability: 0.01, times: Infinity });
  emulator.faults.inject({ routes: /list_folder/, kind: 'too_many_requests', retryAfterSeconds: 0.01, times: 2 });

  const waits: { asked?: number; waited: number }[] = [];
  const storage = withRetry(inner, {
    baseDelayMs: 1,
    maxDelayMs: 50,
    retries: 60, // a storm may hit one object many times in a row; the point is that it completes
    onRetry: ({ delayMs, error }) => {
      if (isStorageError(error, 'RateLimited')) waits.push({ asked: error.retryAfterMs, waited: delayMs });
    },
  });

  const started = Date.now();
  let next = 0;
  const body = (i: number) => new TextEncoder().encode(`object ${i}`);
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < COUNT) {
        const i = next++;
        const answer = await storage.putIfAbsent(`packs/w1/${String(i).padStart(5, '0')}`, body(i));
        expect(answer).toBe('created');
      }
    }),
  );
  const listed = await listAll(storage, 'packs/');
  expect(listed).toHaveLength(COUNT);
  for (const i of [0, 1234, 4999]) expect(new TextDecoder().decode(await storage.get(`packs/w1/${String(i).padStart(5, '0')}`))).toBe(`object ${i}`);

  const throttled = emulator.faults.issued.filter((f) => f.kind === 'too_many_write_operations').length;
  const nested = emulator.faults.issued.filter((f) => f.kind === 'nested_too_many_write_operations').length;
  expect(throttled).toBeGreaterThan(20);
  expect(nested).toBeGreaterThan(20);
  const withRetryAfter = waits.filter((w) => w.asked !== undefined);
  expect(withRetryAfter.length).toBeGreaterThan(20);
  for (const w of withRetryAfter) expect(w.waited).toBeGreaterThanOrEqual(w.asked!);
  console.log(`storm: ${COUNT} objects in ${Date.now() - started} ms; ${throttled} throttled (${emulator.faults.penaltyHits} inside a Retry-After window), ${nested} nested contention errors`);
}, 120_000);
