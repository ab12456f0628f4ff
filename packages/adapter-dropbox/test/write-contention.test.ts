/**
 * Real-world mode `writeContention`: every commit holds its namespace's write lock for a while,
 * and a commit arriving meanwhile gets 429 too_many_write_operations with a long Retry-After
 * (15-300 s on real Dropbox; scaled down here). The adapter paces its commits
 * (`writeConcurrency`, default 1), so a burst of parallel writes neither fails nor waits out a
 * penalty, and the probe still measures atomic create.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDropboxStorage, type DropboxOptionsInput } from '@syncacross/adapter-dropbox';
import { probeCapabilities } from '@syncacross/sync-core';
import { closedPort, runStorageConformance } from '@syncacross/sync-core/testing';
import { mswEmulator } from './support/emulator.js';
import { twoNodeSync } from './support/two-nodes.js';

const env = mswEmulator();
beforeAll(() => env.server.listen({ onUnhandledRequest: 'bypass' }));
afterAll(() => env.server.close());

/** A 2 ms lock and a 0.2 s Retry-After: Dropbox's proportions (a short commit, a long wait), scaled down. */
const CONTENTION = { writeContention: { lockMs: 2, retryAfterSeconds: 0.2 } };
const open = (extra: DropboxOptionsInput = {}) => createDropboxStorage({ accessToken: env.emulator.issueAccessToken(), root: '/library', ...extra });

describe('a burst of parallel writes into one namespace', () => {
  it('is paced: every create and delete succeeds at once, none meets the lock', async () => {
    const emulator = env.reset(CONTENTION);
    const storage = await open();
    const keys = Array.from({ length: 40 }, (_, i) => `packs/w1/${String(i).padStart(3, '0')}`);
    const started = Date.now();
    const answers = await Promise.all(keys.map((k) => storage.putIfAbsent(k, new TextEncoder().encode(k))));
    expect(answers.every((a) => a === 'created')).toBe(true);
    await Promise.all(keys.slice(0, 10).map((k) => storage.delete!(k)));
    expect(emulator.contendedWrites).toBe(0);
    expect((await storage.list('packs/')).objects).toHaveLength(30);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('two clients of one namespace still meet each other, and say how long to wait', async () => {
    const emulator = env.reset(CONTENTION);
    const [a, b] = [await open(), await open()];
    const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).putIfAbsent(`k${i}`, new TextEncoder().encode('x'))));
    const refused = results.filter((r) => r.status === 'rejected');
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.length).toBe(emulator.contendedWrites);
    for (const r of refused) expect((r as PromiseRejectedResult).reason).toMatchObject({ code: 'RateLimited', retryAfterMs: 200 });
  });
});

describe('with write contention on', () => {
  runStorageConformance('dropbox (real-world mode: write contention)', async () => {
    env.reset(CONTENTION);
    const unreachable = async () => createDropboxStorage({ baseUrl: `http://127.0.0.1:${await closedPort()}`, accessToken: 'x', root: '/library' });
    return { storage: await open(), unreachable };
  });

  it('the probe measures atomic create as delivered', async () => {
    const emulator = env.reset(CONTENTION);
    const report = await probeCapabilities(await open(), { racers: 8, rounds: 2 });
    expect(report.notes).toEqual([]);
    expect(report.effective.atomicCreate).toBe(true);
    expect(emulator.contendedWrites).toBe(0);
  });

  it('two nodes sharing the remote converge', async () => {
    env.reset(CONTENTION);
    const { a, b } = await twoNodeSync(() => open());
    expect(b).toEqual(a);
    expect(Object.values(a).sort()).toEqual(['edited on a', 'edited on b', 'from a', 'from b']);
  }, 60_000);
});
