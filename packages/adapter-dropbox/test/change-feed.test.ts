/**
 * The Dropbox change feed (list_folder long poll) through the official SDK against the emulator
 * behind msw: it wakes on another client's write, times out quietly, recovers from a cursor
 * Dropbox no longer knows, stops on its signal, maps throttling, and honours `backoff`.
 * Feeds with a short long-poll timeout are built from the adapter's modules (the timeout is a
 * parameter of the change-feed module, not an adapter option).
 */
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { createDropboxStorage } from '@syncacross/adapter-dropbox';
import { isStorageError, type ChangeFeed, type Storage } from '@syncacross/sync-core';
import { closedPort, runStorageConformance, waitFor } from '@syncacross/sync-core/testing';
import { createChangeFeed } from '../src/change-feed.js';
import { createClient } from '../src/client.js';
import { createContext } from '../src/context.js';
import type { DropboxEmulator } from '../src/emulator/index.js';
import { optionsSchema } from '../src/options.js';
import { mswEmulator } from './support/emulator.js';

const env = mswEmulator();
/** Long polls as they reached the emulator: when, on which host, with an Authorization header or not. */
const polls: { at: number; host: string; authorized: boolean }[] = [];
beforeAll(() => {
  env.server.listen({ onUnhandledRequest: 'bypass' });
  env.server.events.on('request:start', ({ request }) => {
    if (request.url.endsWith('/2/files/list_folder/longpoll')) polls.push({ at: Date.now(), host: new URL(request.url).hostname, authorized: request.headers.has('authorization') });
  });
});
afterAll(() => env.server.close());
beforeEach(() => {
  polls.length = 0;
});

const bytes = (s: string) => new TextEncoder().encode(s);

async function storageOn(emulator: DropboxEmulator, root = '/library'): Promise<Storage & { changeFeed: ChangeFeed }> {
  const storage = await createDropboxStorage({ accessToken: emulator.issueAccessToken(), root });
  return storage as Storage & { changeFeed: ChangeFeed };
}

/** A feed whose long polls wait `timeoutSeconds` (Dropbox takes 30-480; the emulator any). */
function feedWithTimeout(emulator: DropboxEmulator, timeoutSeconds: number, root = '/library'): ChangeFeed {
  const options = optionsSchema.parse({ accessToken: emulator.issueAccessToken(), root });
  return createChangeFeed(createContext(options, createClient(options, { accessToken: options.accessToken })), timeoutSeconds);
}

it('a waiting long poll wakes on a write from another client, and the new cursor is past it', async () => {
  const emulator = env.reset();
  const a = await storageOn(emulator);
  const b = await storageOn(emulator);
  await a.putIfAbsent('before', bytes('x'));
  const start = await a.changeFeed.next(undefined);
  expect(start.changed).toBe(false);
  // The production feed waits 90 s: only the write can end this call within the test's bound.
  const waiting = a.changeFeed.next(start.cursor);
  await waitFor(() => polls.length === 1, 'the long poll to reach the emulator');
  await b.putIfAbsent('packs/p1', bytes('from b'));
  const woken = await waiting;
  expect(woken.changed).toBe(true);
  expect(woken.cursor).not.toBe(start.cursor);
  // Dropbox's long poll: the notify host, no auth header.
  expect(polls[0]).toMatchObject({ host: 'notify.dropboxapi.com', authorized: false });
  // The new cursor has seen b's write: with no further write, a poll on it times out unchanged.
  expect(await feedWithTimeout(emulator, 1).next(woken.cursor)).toEqual({ cursor: woken.cursor, changed: false });
}, 30_000);

it('answers changed:false with the same cursor once the long poll times out with no write', async () => {
  const emulator = env.reset();
  await (await storageOn(emulator)).putIfAbsent('k', bytes('x'));
  const feed = feedWithTimeout(emulator, 1);
  const { cursor } = await feed.next(undefined);
  expect(await feed.next(cursor)).toEqual({ cursor, changed: false });
  expect(polls).toHaveLength(1);
});

it('an expired or garbled cursor gives changed:true and a fresh cursor that works', async () => {
  const emulator = env.reset();
  await (await storageOn(emulator)).putIfAbsent('k', bytes('x'));
  const feed = feedWithTimeout(emulator, 1);
  const old = (await feed.next(undefined)).cursor;
  emulator.resetCursors(); // Dropbox expired every cursor: list_folder/longpoll and continue answer `reset`
  const afterExpiry = await feed.next(old);
  expect(afterExpiry.changed).toBe(true);
  expect(afterExpiry.cursor).not.toBe(old);
  expect(await feed.next(afterExpiry.cursor)).toEqual({ cursor: afterExpiry.cursor, changed: false });
  const afterGarbage = await feed.next('not-a-dropbox-cursor');
  expect(afterGarbage.changed).toBe(true);
  expect(await feed.next(afterGarbage.cursor)).toEqual({ cursor: afterGarbage.cursor, changed: false });
});

it('its signal ends a waiting long poll', async () => {
  const emulator = env.reset();
  const a = await storageOn(emulator);
  const { cursor } = await a.changeFeed.next(undefined);
  const controller = new AbortController();
  const waiting = a.changeFeed.next(cursor, controller.signal);
  await waitFor(() => polls.length === 1, 'the long poll to reach the emulator');
  controller.abort(new Error('watch stopped'));
  await expect(waiting).rejects.toThrow('watch stopped');
}, 10_000);

it('a throttled long poll (429 with Retry-After) is RateLimited, with the wait Dropbox asked for', async () => {
  const emulator = env.reset();
  const a = await storageOn(emulator);
  const { cursor } = await a.changeFeed.next(undefined);
  emulator.faults.inject({ routes: /^files\/list_folder\/longpoll$/, kind: 'too_many_requests', retryAfterSeconds: 7 });
  const error = await a.changeFeed.next(cursor).catch((e: unknown) => e);
  expect(isStorageError(error, 'RateLimited')).toBe(true);
  expect((error as { retryAfterMs?: number }).retryAfterMs).toBe(7000);
});

it("waits out Dropbox's backoff before the next long poll, and a signal ends that wait too", async () => {
  const emulator = env.reset({ longpollBackoffSeconds: 1 });
  const feed = feedWithTimeout(emulator, 0);
  const { cursor } = await feed.next(undefined);
  expect((await feed.next(cursor)).changed).toBe(false);
  await feed.next(cursor);
  expect(polls).toHaveLength(2);
  // From the first poll's arrival, which precedes its answer and so the backoff's start: timed
  // from when the test saw the answer, a loaded machine's delay before that read as an early poll
  // (CI: 994 ms). The 5 ms are the timers' granularity.
  expect(polls[1]!.at - polls[0]!.at).toBeGreaterThanOrEqual(1000 - 5);
  const controller = new AbortController();
  const backingOff = feed.next(cursor, controller.signal);
  controller.abort(new Error('watch stopped'));
  await expect(backingOff).rejects.toThrow('watch stopped');
  expect(polls).toHaveLength(2);
});

it('while the root folder does not exist, watches above it, then re-aims at the root once it does', async () => {
  const emulator = env.reset();
  const feed = feedWithTimeout(emulator, 30);
  const start = await feed.next(undefined);
  const waiting = feed.next(start.cursor);
  await waitFor(() => polls.length === 1, 'the long poll to reach the emulator');
  await (await storageOn(emulator)).putIfAbsent('first', bytes('x')); // creates /library
  const created = await waiting;
  expect(created.changed).toBe(true);
  // Aimed at /library now: a write elsewhere in the Dropbox no longer wakes it.
  await (await storageOn(emulator, '/elsewhere')).putIfAbsent('k', bytes('x'));
  expect(await feedWithTimeout(emulator, 1).next(created.cursor)).toEqual({ cursor: created.cursor, changed: false });
});

// The shared suite (its changeFeed check included) with every long poll asking for a backoff.
runStorageConformance('dropbox (long polls answer with a backoff)', async () => {
  const emulator = env.reset({ longpollBackoffSeconds: 1 });
  const unreachable = async () => createDropboxStorage({ baseUrl: `http://127.0.0.1:${await closedPort()}`, accessToken: 'no-server-here', root: '/library' });
  return { storage: await createDropboxStorage({ accessToken: emulator.issueAccessToken(), root: '/library' }), unreachable };
});
