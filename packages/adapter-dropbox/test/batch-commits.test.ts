/**
 * commitMode "batch": bytes go up in parallel as closed upload sessions and the commits leave
 * together in upload_session/finish_batch_v2, Dropbox's recommendation against namespace
 * write-lock contention. With the real-world modes on (write contention, lost answers), a burst
 * completes in a few lock periods, conflicts inside a batch still answer exists, and the
 * conformance suite, the probe and a two-node sync pass.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDropboxStorage, type DropboxOptionsInput } from '@syncacross/adapter-dropbox';
import { probeCapabilities, withRetry } from '@syncacross/sync-core';
import { closedPort, runStorageConformance } from '@syncacross/sync-core/testing';
import { mswEmulator } from './support/emulator.js';
import { twoNodeSync } from './support/two-nodes.js';

const env = mswEmulator();
beforeAll(() => env.server.listen({ onUnhandledRequest: 'bypass' }));
afterAll(() => env.server.close());

const CONTENTION = { writeContention: { lockMs: 5, retryAfterSeconds: 0.2 } };
const open = (extra: DropboxOptionsInput = {}) => createDropboxStorage({ accessToken: env.emulator.issueAccessToken(), root: '/library', commitMode: 'batch', ...extra });
const text = (s: string) => new TextEncoder().encode(s);
const burst = (n: number) => Array.from({ length: n }, (_, i) => `packs/w1/${String(i).padStart(3, '0')}`);

describe('a burst of parallel creates, batched', () => {
  it('commits 60 objects in a few finish_batch_v2 requests, none contended, none through files/upload', async () => {
    const emulator = env.reset(CONTENTION);
    const storage = await open();
    const answers = await Promise.all(burst(60).map((k) => storage.putIfAbsent(k, text(k))));
    expect(answers.every((a) => a === 'created')).toBe(true);
    expect(emulator.requests('files/upload')).toBe(0);
    expect(emulator.requests('files/upload_session/start')).toBe(60);
    expect(emulator.requests('files/upload_session/finish_batch_v2')).toBeLessThanOrEqual(4);
    expect(emulator.contendedWrites).toBe(0);
    expect(new TextDecoder().decode(await storage.get('packs/w1/042'))).toBe('packs/w1/042');
  });

  it('answers exists for the entries that conflict, created for the others', async () => {
    env.reset(CONTENTION);
    const storage = await open();
    await storage.putIfAbsent('packs/w1/001', text('first'));
    const answers = await Promise.all(burst(4).map((k) => storage.putIfAbsent(k, text('second'))));
    expect(answers).toEqual(['created', 'exists', 'created', 'created']);
    expect(new TextDecoder().decode(await storage.get('packs/w1/001'))).toBe('first');
  });

  it('maps write contention reported for one entry to RateLimited for that write only', async () => {
    const emulator = env.reset();
    const storage = await open();
    emulator.faults.inject({ routes: /^finish_batch entry$/, kind: 'nested_too_many_write_operations' });
    const results = await Promise.allSettled(burst(3).map((k) => storage.putIfAbsent(k, text(k))));
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as { code: string }).code))).toEqual(['RateLimited', 'created', 'created']);
  });
});

describe('batched, with write contention and lost answers on', () => {
  const MODES = { ...CONTENTION, lostAnswerProbability: 0.2, seed: 5 };
  const retrying = async () => withRetry(await open(), { baseDelayMs: 1, maxDelayMs: 5, retries: 20 });

  runStorageConformance('dropbox (batch commits; real-world modes: write contention, lost answers)', async () => {
    env.reset(MODES);
    const unreachable = async () => createDropboxStorage({ baseUrl: `http://127.0.0.1:${await closedPort()}`, accessToken: 'x', root: '/library', commitMode: 'batch' });
    return { storage: await retrying(), unreachable };
  });

  it('the probe measures every capability as declared', async () => {
    env.reset(MODES);
    const report = await probeCapabilities(await retrying(), { racers: 8, rounds: 3 });
    expect(report.notes).toEqual([]);
    expect(report.effective).toEqual(report.declared);
  });

  it('two nodes sharing the remote converge', async () => {
    env.reset(MODES);
    const { a, b } = await twoNodeSync(() => open());
    expect(b).toEqual(a);
    expect(Object.values(a).sort()).toEqual(['edited on a', 'edited on b', 'from a', 'from b']);
  }, 60_000);
});
