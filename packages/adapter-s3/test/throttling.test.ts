/**
 * Throttling storms: the adapter reports each 503 SlowDown as RateLimited (with Retry-After) and
 * the engine's withRetry wrapper carries the work through, waiting as long as S3 asked.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { listAll, withRetry } from '@syncacross/sync-core';
import { createS3Storage } from '../src/index.js';
import { startEmulator, type RunningEmulator } from './support/emulator.js';

let e: RunningEmulator;
beforeAll(async () => {
  e = await startEmulator({ maxKeysLimit: 50 });
});
afterAll(() => e.close());

it('300 creates and a paged listing complete under a 30% SlowDown storm, honoring Retry-After', async () => {
  const s3 = await createS3Storage(e.options({ prefix: 'storm', conditionalWrites: 'require' }));
  e.emulator.faults.inject({ kind: 'SlowDown', probability: 0.3, times: Infinity, retryAfter: '2' });
  const delays: number[] = [];
  const storage = withRetry(s3, { baseDelayMs: 1, retries: 30, random: () => 0.5, sleep: async () => undefined, onRetry: ({ delayMs }) => void delays.push(delayMs) });
  const keys = Array.from({ length: 300 }, (_, i) => `log/w1/${String(i).padStart(4, '0')}`);
  const answers = await Promise.all(keys.map((k) => storage.putIfAbsent(k, new TextEncoder().encode(k))));
  expect(answers.every((a) => a === 'created')).toBe(true);
  const listed = await listAll(storage, 'log/');
  expect(listed.map((o) => o.key)).toEqual(keys);
  const throttled = e.emulator.requests.filter((r) => r.status === 503).length;
  expect(throttled).toBeGreaterThan(50);
  // Every throttled request was retried after at least the 2 s S3 asked for (plus jitter).
  expect(delays).toHaveLength(throttled);
  expect(Math.min(...delays)).toBeGreaterThanOrEqual(2000);
  e.emulator.faults.clear();
  await s3.close!();
});
