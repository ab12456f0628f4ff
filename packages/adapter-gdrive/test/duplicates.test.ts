/**
 * Drive lets two files share a name. Racing creates from separate processes (two adapter
 * instances here: no shared cache, no shared lock) must still mean one logical object.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isStorageError, listAll } from '@syncacross/sync-core';
import { manualClock, mswServer, newEmulator, storageOn } from './support/emulator.js';

beforeAll(() => mswServer.listen({ onUnhandledRequest: 'bypass' }));
afterAll(() => mswServer.close());

const text = (s: string) => new TextEncoder().encode(s);
const filesNamed = (e: ReturnType<typeof newEmulator>['emulator'], name: string) => e.files().filter((f) => f.name === name && f.mimeType !== 'application/vnd.google-apps.folder');

describe('gdrive duplicates', () => {
  it('two processes racing to create one key with the same bytes leave one logical object', async () => {
    const { emulator, rootUrl } = newEmulator();
    const [a, b] = [await storageOn(emulator, rootUrl), await storageOn(emulator, rootUrl)];
    await a.putIfAbsent('log/w1/0001-aa', text('seed')); // both know the library folders already
    await b.list('log/');
    const bytes = text('the same pack');
    const answers = await Promise.all([a.putIfAbsent('packs/w1/1-abc', bytes), b.putIfAbsent('packs/w1/1-abc', bytes)]);
    expect(answers).toContain('created');
    const reader = await storageOn(emulator, rootUrl);
    const listed = await listAll(reader, 'packs/');
    expect(listed.map((o) => o.key)).toEqual(['packs/w1/1-abc']);
    expect(listed[0]!.size).toBe(bytes.byteLength);
    expect(Buffer.from(await reader.get('packs/w1/1-abc')).toString()).toBe('the same pack');
    expect(Buffer.from(await a.get('packs/w1/1-abc'))).toEqual(Buffer.from(await b.get('packs/w1/1-abc')));
  });

  it('two processes racing with different bytes: the oldest file wins and the loser answers exists', async () => {
    const { emulator, rootUrl } = newEmulator();
    const [a, b] = [await storageOn(emulator, rootUrl), await storageOn(emulator, rootUrl)];
    await a.putIfAbsent('heads/seed', text('x'));
    await b.list('heads/');
    const answers = await Promise.all([a.putIfAbsent('heads/w', text('from a')), b.putIfAbsent('heads/w', text('from b'))]);
    expect(answers.filter((x) => x === 'created')).toHaveLength(1);
    const winner = answers[0] === 'created' ? 'from a' : 'from b';
    for (const s of [a, b, await storageOn(emulator, rootUrl)]) expect(Buffer.from(await s.get('heads/w')).toString()).toBe(winner);
    expect(filesNamed(emulator, 'w')).toHaveLength(1); // the loser removed its copy
  });

  it('under search lag, racing creates with different bytes are reported as Corrupt, never silently picked', async () => {
    const clock = manualClock();
    const { emulator, rootUrl } = newEmulator({ searchLagMs: 200, now: clock.now });
    const [a, b] = [await storageOn(emulator, rootUrl), await storageOn(emulator, rootUrl)];
    await a.putIfAbsent('heads/seed', text('x'));
    clock.advance(250);
    await b.list('heads/');
    expect(await Promise.all([a.putIfAbsent('heads/w', text('from a')), b.putIfAbsent('heads/w', text('from b'))])).toEqual(['created', 'created']);
    clock.advance(250);
    const reader = await storageOn(emulator, rootUrl);
    expect((await listAll(reader, 'heads/')).map((o) => o.key)).toEqual(['heads/seed', 'heads/w']);
    const error = await reader.get('heads/w').catch((e: unknown) => e);
    expect(isStorageError(error, 'Corrupt')).toBe(true);
    expect(String((error as Error).message)).toMatch(/heads\/w exists 2 times with different content/);
  });

  it('duplicates found when listing resolve to the oldest file, the same one for every reader', async () => {
    const { emulator, rootUrl } = newEmulator();
    const s = await storageOn(emulator, rootUrl);
    await s.putIfAbsent('log/w1/0001-x', text('entry'));
    const original = filesNamed(emulator, 'w1/0001-x')[0]!;
    emulator.store.create({ name: 'w1/0001-x', parents: original.parents, bytes: Buffer.from('entry') }); // a retried create
    expect(filesNamed(emulator, 'w1/0001-x')).toHaveLength(2);
    const readers = [await storageOn(emulator, rootUrl), await storageOn(emulator, rootUrl)];
    for (const r of readers) {
      expect((await listAll(r, 'log/')).map((o) => o.key)).toEqual(['log/w1/0001-x']);
      expect(Buffer.from(await r.get('log/w1/0001-x')).toString()).toBe('entry');
    }
    emulator.resetStats();
    await readers[0]!.get('log/w1/0001-x');
    expect(emulator.stats.requests.media).toBe(1);
    expect(await readers[1]!.putIfAbsent('log/w1/0001-x', text('entry'))).toBe('exists');
  });

  it('racing writers that each create the same top-level folder still see one library', async () => {
    const clock = manualClock();
    const { emulator, rootUrl } = newEmulator({ searchLagMs: 150, now: clock.now });
    const a = await storageOn(emulator, rootUrl);
    await a.putIfAbsent('format', text('v1'));
    clock.advance(200);
    const b = await storageOn(emulator, rootUrl);
    await Promise.all([a.putIfAbsent('log/a/1', text('a1')), b.putIfAbsent('log/b/1', text('b1'))]);
    const logFolders = emulator.files().filter((f) => f.name === 'log' && f.mimeType === 'application/vnd.google-apps.folder');
    expect(logFolders).toHaveLength(2); // the lag hid each writer's folder from the other
    clock.advance(200);
    for (const s of [a, b, await storageOn(emulator, rootUrl)]) {
      expect((await listAll(s, 'log/')).map((o) => o.key)).toEqual(['log/a/1', 'log/b/1']);
      expect(Buffer.from(await s.get('log/b/1')).toString()).toBe('b1');
    }
  });
});
