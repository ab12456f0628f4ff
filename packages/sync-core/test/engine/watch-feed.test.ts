/**
 * Library.watch with the backend's change feed (engine/watch-feed.ts): a long poll brings another
 * node's edit long before the interval, a delta feed replaces the listing on each look, and a feed
 * that fails leaves the watch listing on its interval as it does without one. Real folders and
 * file-system events; the remote is in memory, its feed the reference double.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChangeFeed, Storage } from '@syncacross/sync-core';
import { createMemoryStorage, waitFor, withChangeFeed } from '@syncacross/sync-core/testing';
import { StorageError } from '../../src/storage/errors.js';
import { cleanup, makeNode } from './helpers.js';

afterEach(cleanup);

const contentOf = (path: string) => readFile(path, 'utf8').catch(() => undefined);

/** The remote as node a sees it, counting a's listings of `log/` and its calls to the feed. */
function counted(remote: Storage, feed: ChangeFeed | undefined = remote.changeFeed) {
  const calls = { lists: 0, feed: 0 };
  const storage: Storage = {
    ...remote,
    list: (p, o) => (p.startsWith('log/') && calls.lists++, remote.list(p, o)),
    ...(feed ? { changeFeed: { mode: feed.mode, next: (c: string | undefined, s?: AbortSignal) => (calls.feed++, feed.next(c, s)) } } : {}),
  };
  return { storage, calls };
}

async function twoNodes(remote: Storage, aRemote: Storage) {
  const a = await makeNode(aRemote, 'a');
  const b = await makeNode(remote, 'b');
  return { a, b, close: () => Promise.all([a.lib.close(), b.lib.close()]) };
}

describe('watch with a change feed', () => {
  it('a long poll brings another node edit at once, and the watch does not list while nothing changes', async () => {
    const remote = withChangeFeed(createMemoryStorage(), 'wait');
    const { storage, calls } = counted(remote);
    const { a, b, close } = await twoNodes(remote, storage);
    const stop = new AbortController();
    let rounds = 0;
    // An interval of an hour: only the feed can bring b's edit within the test's 10 s.
    const w = a.lib.watch({ signal: stop.signal, intervalMs: 3_600_000, settleMs: 50, onRound: () => rounds++ });
    await waitFor(() => rounds === 1, 'the first round');
    const listsAfterFirstRound = calls.lists;
    // a's own round moved the feed: it lists once more to see that nothing is new, then stays quiet.
    await new Promise((r) => setTimeout(r, 500));
    expect(calls.lists - listsAfterFirstRound).toBeLessThanOrEqual(1);
    const quiet = calls.lists;
    await new Promise((r) => setTimeout(r, 500));
    expect(calls.lists).toBe(quiet);
    await writeFile(join(b.dir, 'from-b.md'), 'b');
    await b.sync();
    await waitFor(async () => (await contentOf(join(a.dir, 'from-b.md'))) === 'b', 'the edit on a', { timeoutMs: 10_000 });
    stop.abort();
    await w.done;
    await close();
  });

  it('a delta feed is asked on each look instead of listing, and a change it reports starts a round', async () => {
    const remote = withChangeFeed(createMemoryStorage(), 'poll');
    const { storage, calls } = counted(remote);
    const { a, b, close } = await twoNodes(remote, storage);
    const stop = new AbortController();
    let rounds = 0;
    const w = a.lib.watch({ signal: stop.signal, intervalMs: 50, settleMs: 50, onRound: () => rounds++ });
    await waitFor(() => rounds === 1, 'the first round');
    await waitFor(() => calls.feed >= 3, 'looks at the feed');
    const before = { ...calls };
    await waitFor(() => calls.feed >= before.feed + 5, 'five more looks');
    // a's own round counts as a change once at most; after that, looks are feed calls only.
    expect(calls.lists - before.lists).toBeLessThanOrEqual(1);
    expect(rounds).toBe(1);
    await writeFile(join(b.dir, 'from-b.md'), 'b');
    await b.sync();
    await waitFor(async () => (await contentOf(join(a.dir, 'from-b.md'))) === 'b', 'the edit on a', { timeoutMs: 10_000 });
    stop.abort();
    await w.done;
    await close();
  });

  it('a feed that fails leaves the watch listing on its interval, and it still gets the news', async () => {
    const remote = withChangeFeed(createMemoryStorage(), 'wait');
    const down: ChangeFeed = {
      mode: 'wait',
      next: async () => {
        throw new StorageError('Unavailable', 'the long poll host is down');
      },
    };
    const { storage, calls } = counted(remote, down);
    const { a, b, close } = await twoNodes(remote, storage);
    const stop = new AbortController();
    let rounds = 0;
    const w = a.lib.watch({ signal: stop.signal, intervalMs: 50, settleMs: 50, maxBackoffMs: 100, onRound: () => rounds++ });
    await waitFor(() => rounds === 1, 'the first round');
    const before = calls.lists;
    await waitFor(() => calls.lists >= before + 4, 'listings on the interval');
    await writeFile(join(b.dir, 'from-b.md'), 'b');
    await b.sync();
    await waitFor(async () => (await contentOf(join(a.dir, 'from-b.md'))) === 'b', 'the edit on a', { timeoutMs: 10_000 });
    stop.abort();
    await w.done;
    await close();
  });
});
