/**
 * Real-world mode `lostAnswerProbability`: a write commits and its answer is lost (500). A retried
 * create must not then report our own file as someone else's (`exists`): the adapter compares
 * the file's content_hash with what it wrote (lost-answers.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDropboxStorage } from '@syncacross/adapter-dropbox';
import { probeCapabilities, withRetry, type Storage } from '@syncacross/sync-core';
import { closedPort, runStorageConformance } from '@syncacross/sync-core/testing';
import { mswEmulator } from './support/emulator.js';
import { twoNodeSync } from './support/two-nodes.js';

const env = mswEmulator();
beforeAll(() => env.server.listen({ onUnhandledRequest: 'bypass' }));
afterAll(() => env.server.close());

const bytes = (s: string) => new TextEncoder().encode(s);
const LOST = 0.25;
/** What the engine does with a failed request: retry it (openLibrary wraps the adapter so). */
const retrying = (s: Storage) => withRetry(s, { baseDelayMs: 1, maxDelayMs: 5, retries: 20 });
const open = async () => createDropboxStorage({ accessToken: env.emulator.issueAccessToken(), root: '/library' });

describe('a create whose answer was lost', () => {
  it('is ours when retried with the same bytes, and still exists for anything else', async () => {
    env.reset();
    const storage = await open();
    env.emulator.faults.inject({ routes: /^files\/upload$/, kind: 'answer_lost' });
    await expect(storage.putIfAbsent('k', bytes('mine'))).rejects.toMatchObject({ code: 'Unavailable' });
    expect(env.emulator.home.get('/library/k')).toBeDefined(); // it committed
    expect(await storage.putIfAbsent('k', bytes('mine'))).toBe('created');
    expect(await storage.putIfAbsent('k', bytes('mine'))).toBe('exists'); // settled: a new create is a new question
    expect(await storage.putIfAbsent('k', bytes('other'))).toBe('exists');
  });

  it('is not taken for ours when another writer holds the key with other bytes', async () => {
    env.reset();
    const [mine, theirs] = [await open(), await open()];
    expect(await theirs.putIfAbsent('k', bytes('theirs'))).toBe('created');
    env.emulator.faults.inject({ routes: /^files\/upload$/, kind: 'answer_lost' });
    await expect(mine.putIfAbsent('k', bytes('mine'))).rejects.toMatchObject({ code: 'Unavailable' }); // refused, then the answer lost
    expect(await mine.putIfAbsent('k', bytes('mine'))).toBe('exists');
  });

  it('a compare-and-swap whose answer was lost returns the rev it wrote', async () => {
    env.reset();
    const storage = await open();
    await storage.putIfAbsent('k', bytes('v1'));
    const etag = (await storage.list('')).objects[0]!.etag!;
    env.emulator.faults.inject({ routes: /^files\/upload$/, kind: 'answer_lost' });
    await expect(storage.putIfMatch!('k', bytes('v2'), etag)).rejects.toMatchObject({ code: 'Unavailable' });
    const { etag: now } = await storage.putIfMatch!('k', bytes('v2'), etag);
    expect(now).toBe((await storage.list('')).objects[0]!.etag);
    await expect(storage.putIfMatch!('k', bytes('v3'), etag)).rejects.toMatchObject({ code: 'PreconditionFailed' });
  });
});

describe('with lost answers on every fourth write', () => {
  runStorageConformance('dropbox (real-world mode: lost answers)', async () => {
    const emulator = env.reset({ lostAnswerProbability: LOST, seed: 7 });
    const storage = retrying(await createDropboxStorage({ accessToken: emulator.issueAccessToken(), root: '/library' }));
    const unreachable = async () => createDropboxStorage({ baseUrl: `http://127.0.0.1:${await closedPort()}`, accessToken: 'x', root: '/library' });
    return { storage, unreachable };
  });

  it('the probe measures atomic create as delivered', async () => {
    const emulator = env.reset({ lostAnswerProbability: LOST, seed: 4 });
    const report = await probeCapabilities(retrying(await open()), { racers: 6, rounds: 4 });
    expect(emulator.faults.issued.filter((f) => f.kind === 'answer_lost').length).toBeGreaterThan(3);
    expect(report.notes).toEqual([]);
    expect(report.effective.atomicCreate).toBe(true);
  });

  it('two nodes sharing the remote converge', async () => {
    const emulator = env.reset({ lostAnswerProbability: 0.5, seed: 3 }); // an engine round writes little: lose more
    const { a, b } = await twoNodeSync(() => open());
    console.log(`two nodes: ${emulator.faults.issued.filter((f) => f.kind === 'answer_lost').length} lost answers of ${emulator.requests('files/upload')} uploads`);
    expect(emulator.faults.issued.filter((f) => f.kind === 'answer_lost').length).toBeGreaterThan(2);
    expect(b).toEqual(a);
    expect(a).toMatchObject({ 'a.txt': 'from a', 'b/notes.txt': 'from b' });
    expect(Object.values(a).sort()).toEqual(['edited on a', 'edited on b', 'from a', 'from b']);
  }, 60_000);
});
