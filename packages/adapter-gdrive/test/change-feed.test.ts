/**
 * The change feed (Drive's change log, mode 'poll') through googleapis against the emulator:
 * another client's write or delete is reported by the next poll; a quiet poll is ONE request even
 * with 2,000 objects stored; changes elsewhere in the drive are not ours (one look-up per foreign
 * folder, then remembered), while a file in a library folder this process never looked up is;
 * an unknown or expired cursor answers changed with a fresh one; pages are followed, and a long
 * backlog is cut short with a fresh start token; a 429 is RateLimited.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isStorageError, listAll, type ChangeFeed } from '@syncacross/sync-core';
import type { DriveEmulator } from '../src/emulator/index.js';
import { FOLDER_MIME } from '../src/emulator/index.js';
import { mswServer, newEmulator, storageOn } from './support/emulator.js';

beforeAll(() => mswServer.listen({ onUnhandledRequest: 'bypass' }));
afterAll(() => mswServer.close());

const text = (s: string) => new TextEncoder().encode(s);

/** A watcher and a writer (each its own storage instance) on one emulator, the library made. */
async function twoClients(pageSize?: number) {
  const { emulator, rootUrl } = newEmulator();
  const extra = pageSize === undefined ? {} : { pageSize };
  const [watcher, writer] = [await storageOn(emulator, rootUrl, extra), await storageOn(emulator, rootUrl, extra)];
  await writer.putIfAbsent('format', text('v1'));
  await watcher.get('format'); // resolves the library folder, as the engine does first
  return { emulator, watcher, writer, feed: watcher.changeFeed! };
}

/** Runs `f` and returns its answer and the number of requests the emulator served meanwhile. */
async function counted<T>(emulator: DriveEmulator, f: () => Promise<T>): Promise<{ answer: T; requests: number }> {
  const before = emulator.stats.total;
  const answer = await f();
  return { answer, requests: emulator.stats.total - before };
}

const poll = (feed: ChangeFeed, cursor?: string) => feed.next(cursor);

/** A file outside the library, as the user's other work in the same Drive makes them. */
function elsewhere(emulator: DriveEmulator, name: string): void {
  const folder = emulator.files().find((f) => f.name === 'Elsewhere') ?? emulator.store.create({ name: 'Elsewhere', mimeType: FOLDER_MIME });
  emulator.store.create({ name, parents: [folder.id], bytes: Buffer.from('x') });
}

describe('the Drive change feed (changes.list)', () => {
  it('reports a write and a delete from another client at the next poll, and nothing when nothing was written', async () => {
    const { emulator, writer, feed } = await twoClients();
    expect(feed.mode).toBe('poll');
    const start = await poll(feed);
    expect(start.changed).toBe(false);
    const quiet = await counted(emulator, () => poll(feed, start.cursor));
    expect(quiet.answer.changed).toBe(false);
    expect(quiet.requests).toBe(1);
    await writer.putIfAbsent('log/w2/0001', text('x'));
    const moved = await poll(feed, quiet.answer.cursor);
    expect(moved.changed).toBe(true);
    expect((await poll(feed, moved.cursor)).changed).toBe(false);
    await writer.delete!('log/w2/0001');
    expect((await poll(feed, moved.cursor)).changed).toBe(true);
  });

  it('a quiet poll is one request with 2,000 objects stored, where a listing takes more', async () => {
    const { emulator, watcher, writer, feed } = await twoClients();
    await writer.putIfAbsent('log/w/0000', text('x'));
    // The other 1,999 straight into the emulator's log folder (2,000 uploads would only slow the test).
    const log = emulator.files().find((f) => f.name === 'log' && f.mimeType === FOLDER_MIME)!;
    for (let i = 1; i < 2000; i++) emulator.store.create({ name: `w/${String(i).padStart(4, '0')}`, parents: [log.id], bytes: Buffer.from('x') });
    const start = await poll(feed);
    const listing = await counted(emulator, () => listAll(watcher, 'log/'));
    expect(listing.answer).toHaveLength(2000);
    expect(listing.requests).toBeGreaterThanOrEqual(3); // the library folder, then log/ in pages of 1,000
    const quiet = await counted(emulator, () => poll(feed, start.cursor));
    expect(quiet.answer.changed).toBe(false);
    expect(quiet.requests).toBe(1);
  });

  it('changes elsewhere in the drive are not ours: each foreign folder is looked up once, then remembered', async () => {
    const { emulator, feed } = await twoClients();
    const start = await poll(feed);
    elsewhere(emulator, 'notes.txt');
    const first = await counted(emulator, () => poll(feed, start.cursor));
    expect(first.answer.changed).toBe(false);
    elsewhere(emulator, 'more-notes.txt');
    const again = await counted(emulator, () => poll(feed, first.answer.cursor));
    expect(again.answer.changed).toBe(false);
    expect(again.requests).toBe(1); // the folder `Elsewhere` is known by now
  });

  it('the library folder trashed is a change, though its parent is not ours', async () => {
    const { emulator, feed } = await twoClients();
    const start = await poll(feed);
    const library = emulator.files().find((f) => f.name === 'syncacross-test')!;
    library.trashed = true;
    emulator.store.touch(library);
    expect((await poll(feed, start.cursor)).changed).toBe(true);
  });

  it('a file in a library folder this process never looked up is a change', async () => {
    const { emulator, rootUrl } = newEmulator();
    const writer = await storageOn(emulator, rootUrl);
    await writer.putIfAbsent('log/w/0001', text('1')); // makes log/ before the watcher starts
    const watcher = await storageOn(emulator, rootUrl);
    const start = await poll(watcher.changeFeed!);
    await writer.putIfAbsent('log/w/0002', text('2'));
    expect(watcher.folders.known('log')).toBeUndefined();
    expect((await poll(watcher.changeFeed!, start.cursor)).changed).toBe(true);
  });

  it('an unknown or expired cursor answers changed with a fresh cursor that works', async () => {
    const { emulator, feed } = await twoClients();
    const start = await poll(feed);
    for (const foreign of ['nonsense', '999999']) {
      const answer = await poll(feed, foreign);
      expect(answer.changed, foreign).toBe(true);
      expect((await poll(feed, answer.cursor)).changed).toBe(false);
    }
    emulator.expireChangeTokens();
    const resync = await poll(feed, start.cursor);
    expect(resync.changed).toBe(true);
    expect(resync.cursor).not.toBe(start.cursor);
    expect((await poll(feed, resync.cursor)).changed).toBe(false);
  });

  it('follows pages of foreign changes to a change of ours, and cuts a long backlog short', async () => {
    const { emulator, writer, feed } = await twoClients(2);
    const start = await poll(feed);
    for (let i = 0; i < 5; i++) elsewhere(emulator, `n${i}`); // 6 foreign changes: three pages of two
    await writer.putIfAbsent('packs/p0', text('0'));
    const followed = await poll(feed, start.cursor);
    expect(followed.changed).toBe(true);
    expect((await poll(feed, followed.cursor)).changed).toBe(false);
    for (let i = 1; i <= 20; i++) await writer.putIfAbsent(`packs/p${i}`, text(String(i)));
    const backlog = await counted(emulator, () => poll(feed, followed.cursor));
    expect(backlog.answer.changed).toBe(true);
    // One page, a look-up of packs/ (this watcher had only seen its creation), a fresh start token: not 10 pages.
    expect(backlog.requests).toBeLessThanOrEqual(3);
    expect((await poll(feed, backlog.answer.cursor)).changed).toBe(false);
  });

  it('a 429 is RateLimited with its Retry-After', async () => {
    const { emulator, feed } = await twoClients();
    const start = await poll(feed);
    emulator.inject({ error: '429', times: 1, retryAfterSeconds: 2, pathIncludes: '/drive/v3/changes' });
    const e = await poll(feed, start.cursor).then(
      () => expect.fail('expected RateLimited'),
      (error: unknown) => error,
    );
    expect(isStorageError(e, 'RateLimited')).toBe(true);
    expect((e as { retryAfterMs?: number }).retryAfterMs).toBe(2000);
    expect((await poll(feed, start.cursor)).changed).toBe(false); // the cursor still works afterwards
  });
});
