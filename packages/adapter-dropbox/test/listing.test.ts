/** Listings that stay cheap and correct on a case-insensitive store. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDropboxStorage } from '@syncacross/adapter-dropbox';
import { listAll, type Storage } from '@syncacross/sync-core';
import { Dropbox } from 'dropbox';
import { mswEmulator } from './support/emulator.js';

const env = mswEmulator();
beforeAll(() => env.server.listen({ onUnhandledRequest: 'bypass' }));
afterAll(() => env.server.close());

const bytes = (s: string) => new TextEncoder().encode(s);

describe('listing', () => {
  let storage: Storage;
  beforeEach(async () => {
    env.reset();
    storage = await createDropboxStorage({ accessToken: env.emulator.issueAccessToken(), root: '/Library' });
  });

  it('costs one small request when nothing changed (list_folder/continue on the kept cursor)', async () => {
    for (let i = 0; i < 30; i++) await storage.putIfAbsent(`log/w${i % 3}/${String(i).padStart(4, '0')}`, bytes('x'));
    expect(await listAll(storage, 'log/')).toHaveLength(30);
    const before = env.emulator.requests();
    expect(await listAll(storage, 'log/')).toHaveLength(30);
    expect(env.emulator.requests() - before).toBe(1);
    expect(env.emulator.requests('files/list_folder')).toBe(1);
  });

  it('sees creates, replacements and deletes made by another client through the cursor', async () => {
    await storage.putIfAbsent('log/a', bytes('1'));
    await storage.putIfAbsent('log/b', bytes('1'));
    await listAll(storage, 'log/');
    const other = await createDropboxStorage({ accessToken: env.emulator.issueAccessToken(), root: '/library' });
    await other.putIfAbsent('log/c', bytes('1'));
    await other.delete!('log/a');
    const rev = (await other.list('log/b')).objects[0]!.etag!;
    const { etag } = await other.putIfMatch!('log/b', bytes('22'), rev);
    const now = await listAll(storage, 'log/');
    expect(now.map((o) => [o.key, o.size, o.etag])).toEqual([
      ['log/b', 2, etag],
      ['log/c', 1, now[1]!.etag],
    ]);
  });

  it('lists afresh when Dropbox resets the cursor', async () => {
    await storage.putIfAbsent('log/a', bytes('1'));
    await listAll(storage, 'log/');
    env.emulator.resetCursors();
    await storage.putIfAbsent('log/b', bytes('1'));
    expect((await listAll(storage, 'log/')).map((o) => o.key)).toEqual(['log/a', 'log/b']);
    expect(env.emulator.requests('files/list_folder')).toBe(2);
  });

  it('pages a large folder across Dropbox pages and across its own pages, sorted', async () => {
    const original = env.emulator.listings.listFolder.bind(env.emulator.listings);
    env.emulator.listings.listFolder = (view, arg) => original(view, { ...arg, limit: 7 });
    const keys = Array.from({ length: 40 }, (_, i) => `pg/${String(i).padStart(3, '0')}`);
    for (const k of [...keys].reverse()) await storage.putIfAbsent(k, bytes(k));
    const first = await storage.list('pg/', { pageSize: 15 });
    expect(first.objects.map((o) => o.key)).toEqual(keys.slice(0, 15));
    const second = await storage.list('pg/', { pageSize: 15, cursor: first.cursor });
    expect(second.objects.map((o) => o.key)).toEqual(keys.slice(15, 30));
    expect(env.emulator.requests('files/list_folder/continue')).toBeGreaterThanOrEqual(5);
  });

  it('ignores files it did not write (a "Format" made by a person is not the key "format")', async () => {
    const dbx = new Dropbox({ accessToken: env.emulator.issueAccessToken() });
    await dbx.filesUpload({ path: '/Library/README.TXT', contents: Buffer.from('by hand') });
    await dbx.filesUpload({ path: '/Library/log/Format', contents: Buffer.from('by hand') });
    await dbx.filesUpload({ path: '/Library/notes/Desktop.ini', contents: Buffer.from('by hand') });
    await storage.putIfAbsent('format', bytes('ours'));
    expect((await listAll(storage, '')).map((o) => o.key)).toEqual(['format']);
    expect((await listAll(storage, 'log/')).map((o) => o.key)).toEqual([]);
  });

  it('treats a missing folder as empty, and one deleted behind the cursor too', async () => {
    expect((await storage.list('nothing/')).objects).toEqual([]);
    await storage.putIfAbsent('gone/x', bytes('1'));
    await listAll(storage, 'gone/');
    const dbx = new Dropbox({ accessToken: env.emulator.issueAccessToken() });
    await dbx.filesDeleteV2({ path: '/library/gone' });
    expect((await storage.list('gone/')).objects).toEqual([]);
  });
});
