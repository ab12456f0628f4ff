/**
 * The change feed (Graph delta, mode 'poll') against the emulator: another client's write is
 * reported by the next poll, a quiet poll is ONE request even with 2,000 objects stored (where a
 * listing costs a page per 200 per folder), an expired or foreign cursor answers changed with a
 * fresh cursor, pages are followed (and a long backlog is cut short with token=latest), a 429 is
 * RateLimited, and a Business drive without folder delta falls back to the drive root's.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { isStorageError, listAll, type ChangeFeed } from '@syncacross/sync-core';
import { createOneDriveStorage, type OneDriveOptionsInput } from '../src/index.js';
import type { OneDriveEmulator } from '../src/emulator/index.js';
import { GRAPH_BASE, mswEmulator, stopMsw, TOKEN } from './support/emulator.js';

afterAll(() => stopMsw());

let driveCounter = 0;
/** Two clients (each its own storage instance) on one fresh Business drive of one emulator. */
async function twoClients(emulatorOptions: Parameters<typeof mswEmulator>[0] = {}, options: Partial<OneDriveOptionsInput> = {}) {
  const emu = mswEmulator(emulatorOptions);
  // A drive of its own per test: throttle gates are per drive and shared process-wide.
  const driveId = `b!feed-${++driveCounter}`;
  emu.graph.addDrive(driveId, 'business');
  const open = () => createOneDriveStorage({ baseUrl: GRAPH_BASE, accessToken: TOKEN, atomicCreate: 'trust', driveId, folder: 'Sync/lib', ...options });
  const [watcher, writer] = [await open(), await open()];
  const drive = emu.graph.drives.get(driveId)!;
  return { emu, drive, watcher, writer, feed: watcher.changeFeed! };
}

/** Runs `f` and returns its answer and the requests it cost. */
async function counted<T>(emu: OneDriveEmulator, f: () => Promise<T>): Promise<{ answer: T; requests: string[] }> {
  const before = emu.requests.length;
  const answer = await f();
  return { answer, requests: emu.requests.slice(before).map((r) => `${r.method} ${r.path}`) };
}

const poll = (feed: ChangeFeed, cursor?: string) => feed.next(cursor);

describe('the OneDrive change feed (Graph delta)', () => {
  it('reports a write from another client at the next poll, and nothing when nothing was written', async () => {
    const { emu, watcher, writer, feed } = await twoClients();
    expect(feed.mode).toBe('poll');
    await watcher.list(''); // resolve the folder first, so the polls below are counted alone
    const start = await poll(feed);
    expect(start.changed).toBe(false);
    const quiet = await counted(emu, () => poll(feed, start.cursor));
    expect(quiet.answer.changed).toBe(false);
    expect(quiet.requests).toHaveLength(1);
    expect(quiet.requests[0]).toMatch(/\/delta$/);
    await writer.putIfAbsent('log/w2/0001', Buffer.from('x'));
    const moved = await poll(feed, quiet.answer.cursor);
    expect(moved.changed).toBe(true);
    expect((await poll(feed, moved.cursor)).changed).toBe(false);
    await writer.delete!('log/w2/0001');
    expect((await poll(feed, moved.cursor)).changed).toBe(true); // a deletion is a change too
  });

  it('a quiet poll is one request with 2,000 objects stored, where a listing takes many', async () => {
    const { emu, drive, watcher, writer, feed } = await twoClients();
    await writer.putIfAbsent('log/w/0000', Buffer.from('x'));
    // The other 1,999 straight into the emulator's drive (2,000 uploads would only slow the test).
    // Beside the first, named as the adapter names it (folders carry an encoding of their own).
    const first = [...drive.items.values()].find((i) => !i.isFolder && i.name.includes('0000'))!;
    for (let i = 1; i < 2000; i++) drive.createFile(first.parentId!, first.name.replace('0000', String(i).padStart(4, '0')), Buffer.from('x'));
    const start = await poll(feed);
    const listing = await counted(emu, () => listAll(watcher, 'log/'));
    expect(listing.answer).toHaveLength(2000);
    expect(listing.requests.length).toBeGreaterThanOrEqual(10); // 200 per /children page
    const quiet = await counted(emu, () => poll(feed, start.cursor));
    expect(quiet.answer.changed).toBe(false);
    expect(quiet.requests).toHaveLength(1);
  });

  it('a write outside the library folder is not a change of ours', async () => {
    const { emu, drive, watcher, feed } = await twoClients();
    await watcher.list('');
    const start = await poll(feed);
    drive.createFile(drive.ensureFolder(drive.rootId, 'Elsewhere').id, 'note.txt', Buffer.from('x'));
    expect((await counted(emu, () => poll(feed, start.cursor))).answer.changed).toBe(false);
  });

  it('an expired or unknown cursor answers changed with a fresh cursor that works', async () => {
    const { drive, watcher, feed } = await twoClients();
    await watcher.list('');
    const start = await poll(feed);
    drive.expireDeltaTokens(); // the token is too old for the service: 410 resyncRequired
    const resync = await poll(feed, start.cursor);
    expect(resync.changed).toBe(true);
    expect(resync.cursor).not.toBe(start.cursor);
    expect((await poll(feed, resync.cursor)).changed).toBe(false);
    for (const foreign of ['nonsense', '/drives/someone-else/root/delta?token=MQ', `${start.cursor.split('token=')[0]}token=OTk5OTk5`]) {
      const answer = await poll(feed, foreign);
      expect(answer.changed).toBe(true);
      expect((await poll(feed, answer.cursor)).changed).toBe(false);
    }
  });

  it('follows pages that hold only the folder itself, and cuts a long backlog short with token=latest', async () => {
    const { emu, drive, watcher, writer, feed } = await twoClients({}, { pageSize: 1 });
    await watcher.list('');
    const start = await poll(feed);
    // The library folder's own change (its metadata) comes first, alone on a page of one, and is no change of ours.
    const lib = drive.childByName(drive.childByName(drive.rootId, 'Sync')!.id, 'lib')!;
    drive.move(lib, lib.parentId!, lib.name);
    const own = await counted(emu, () => poll(feed, start.cursor));
    expect(own.answer.changed).toBe(false);
    for (let i = 0; i < 12; i++) await writer.putIfAbsent(`packs/p${i}`, Buffer.from(String(i)));
    const backlog = await counted(emu, () => poll(feed, start.cursor));
    expect(backlog.answer.changed).toBe(true);
    // Page 1 is the folder alone (followed), page 2 shows a change: then token=latest, not 20 more pages.
    expect(backlog.requests).toHaveLength(3);
    expect((await poll(feed, backlog.answer.cursor)).changed).toBe(false);
    await writer.putIfAbsent('packs/after', Buffer.from('a'));
    expect((await poll(feed, backlog.answer.cursor)).changed).toBe(true);
  });

  it('a 429 is RateLimited with its Retry-After', async () => {
    const { emu, watcher, feed } = await twoClients();
    await watcher.list('');
    const start = await poll(feed);
    emu.throttler.throttleNext(1, { status: 429, retryAfter: 'seconds', durationMs: 1000 });
    const e = await poll(feed, start.cursor).then(
      () => expect.fail('expected RateLimited'),
      (error: unknown) => error,
    );
    expect(isStorageError(e, 'RateLimited')).toBe(true);
    expect((e as { retryAfterMs?: number }).retryAfterMs).toBe(1000);
    expect((await poll(feed, start.cursor)).changed).toBe(false); // the cursor still works afterwards
  });

  it('on a drive with delta only at its root (Business), watches the root: still one request, changes elsewhere are false alarms', async () => {
    const logged: string[] = [];
    const emu = mswEmulator({ deltaOnlyAtRoot: true });
    emu.graph.addDrive('b!root-only', 'business');
    const open = () =>
      createOneDriveStorage({ baseUrl: GRAPH_BASE, accessToken: TOKEN, atomicCreate: 'trust', driveId: 'b!root-only', folder: 'Sync/lib' }, { context: { log: (m) => logged.push(m) } });
    const [watcher, writer] = [await open(), await open()];
    const feed = watcher.changeFeed!;
    await watcher.list('');
    const start = await poll(feed);
    expect(start.cursor).toMatch(/\/root\/delta\?/);
    expect(logged.join('\n')).toMatch(/no delta on folders/);
    const quiet = await counted(emu, () => poll(feed, start.cursor));
    expect(quiet.answer.changed).toBe(false);
    expect(quiet.requests).toHaveLength(1);
    await writer.putIfAbsent('log/w/1', Buffer.from('x'));
    const moved = await poll(feed, start.cursor);
    expect(moved.changed).toBe(true);
    const drive = emu.graph.drives.get('b!root-only')!;
    drive.createFile(drive.rootId, 'unrelated.txt', Buffer.from('x'));
    expect((await poll(feed, moved.cursor)).changed).toBe(true);
  });
});
