/**
 * Listing on Drive: cheap for the engine's `log/` polling, complete or an error, and never
 * "short" because of search lag in a way that would read as a delete.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isStorageError, listAll } from '@syncacross/sync-core';
import { manualClock, mswServer, newEmulator, storageOn } from './support/emulator.js';

beforeAll(() => mswServer.listen({ onUnhandledRequest: 'bypass' }));
afterAll(() => mswServer.close());

const text = (s: string) => new TextEncoder().encode(s);

describe('gdrive listing', () => {
  it("list('log/') with five writers costs two searches, one per folder (library and log), whatever the number of writers", async () => {
    const { emulator, rootUrl } = newEmulator();
    const writers = await Promise.all(Array.from({ length: 5 }, () => storageOn(emulator, rootUrl)));
    await writers[0]!.putIfAbsent('format', text('v1'));
    for (let seq = 0; seq < 20; seq++) {
      await Promise.all(writers.map((w, i) => w.putIfAbsent(`log/w${i}/${String(seq).padStart(4, '0')}-h`, text(`${i}:${seq}`))));
    }
    await Promise.all(writers.map((w, i) => w.putIfAbsent(`packs/w${i}/1-p`, text('pack'))));
    const reader = await storageOn(emulator, rootUrl);
    await reader.get('format'); // resolves the library folder, as the engine does first
    emulator.resetStats();
    expect(await listAll(reader, 'log/')).toHaveLength(100);
    const first = emulator.stats.total;
    emulator.resetStats();
    expect(await listAll(reader, 'log/')).toHaveLength(100);
    const steady = emulator.stats.total;
    console.log(`list('log/') with 5 writers x 20 entries: ${first} requests the first time, ${steady} after`);
    expect(first).toBe(2);
    expect(steady).toBe(2); // the library folder and log/, one search each (never an OR of parents: see DriveApi.searchChildren)
    emulator.resetStats();
    expect((await listAll(reader, 'log/w3/')).map((o) => o.key)).toHaveLength(20);
    expect(emulator.stats.total).toBe(2);
  });

  it('pages through Drive results of 1,000 and serves engine pages from one snapshot', async () => {
    const { emulator, rootUrl } = newEmulator();
    const s = await storageOn(emulator, rootUrl);
    await s.putIfAbsent('log/seed', text('x'));
    const folder = emulator.files().find((f) => f.name === 'log')!;
    for (let i = 0; i < 2_400; i++) emulator.store.create({ name: `w/${String(i).padStart(5, '0')}`, parents: [folder.id], bytes: Buffer.from('e') });
    emulator.resetStats();
    const all = await listAll(s, 'log/', { pageSize: 500 });
    expect(all).toHaveLength(2_401);
    expect(emulator.stats.requests.list).toBe(4); // the library folder once, ceil(2,401 / 1,000) pages of log/, once
  });

  it('never lists a key and then drops it because of search lag', async () => {
    const clock = manualClock();
    const { emulator, rootUrl } = newEmulator({ searchLagMs: 150, now: clock.now });
    const writer = await storageOn(emulator, rootUrl);
    await writer.putIfAbsent('format', text('v1'));
    clock.advance(200); // the library folder exists before the reader first looks for it by name
    const reader = await storageOn(emulator, rootUrl);
    const seen = new Set<string>();
    for (let round = 0; round < 6; round++) {
      await writer.putIfAbsent(`log/w/${round}`, text(String(round)));
      if (round === 3) await writer.putIfAbsent(`checkpoints/c${round}/manifest`, text('m')); // a new top-level folder
      const listed = new Set((await listAll(reader, '')).map((o) => o.key));
      for (const k of seen) expect(listed.has(k), `${k} vanished in round ${round}`).toBe(true);
      for (const k of listed) seen.add(k);
      clock.advance(60);
    }
    clock.advance(200);
    expect((await listAll(reader, '')).map((o) => o.key)).toEqual(['checkpoints/c3/manifest', 'format', 'log/w/0', 'log/w/1', 'log/w/2', 'log/w/3', 'log/w/4', 'log/w/5']);
  });

  it('treats incompleteSearch and a failing page as Unavailable, never as a short listing', async () => {
    const { emulator, rootUrl } = newEmulator();
    const s = await storageOn(emulator, rootUrl);
    await s.putIfAbsent('log/a', text('a'));
    emulator.listBehaviour.incompleteSearches = 1;
    const e1 = await s.list('log/').catch((e: unknown) => e);
    expect(isStorageError(e1, 'Unavailable')).toBe(true);
    const folder = emulator.files().find((f) => f.name === 'log')!;
    for (let i = 0; i < 1_500; i++) emulator.store.create({ name: `x${i}`, parents: [folder.id], bytes: Buffer.from('e') });
    emulator.inject({ error: '502', queryIncludes: 'pageToken' }); // the second Drive page fails
    const e2 = await s.list('log/').catch((e: unknown) => e);
    expect(isStorageError(e2, 'Unavailable')).toBe(true);
    expect((await listAll(s, 'log/')).length).toBe(1_501);
  });
});
