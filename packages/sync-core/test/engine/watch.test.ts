/**
 * Library.watch (engine/watch.ts): rounds start when a local change settles and on an interval,
 * a round can be asked for at once, an unreachable remote is retried with back-off, and the
 * signal stops it all. Real folders and real file-system events; the remote is in memory.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Storage } from '@syncacross/sync-core';
import { createMemoryStorage, waitFor } from '@syncacross/sync-core/testing';
import { StorageError } from '../../src/storage/errors.js';
import { cleanup, makeNode } from './helpers.js';

afterEach(cleanup);

const contentOf = (path: string) => readFile(path, 'utf8').catch(() => undefined);

describe('watch', () => {
  it('an edit on one watching machine reaches the other without anyone running sync', async () => {
    const remote = createMemoryStorage();
    const a = await makeNode(remote, 'a');
    const b = await makeNode(remote, 'b');
    const stop = new AbortController();
    const rounds = { a: 0, b: 0 };
    const wa = a.lib.watch({ signal: stop.signal, intervalMs: 300, settleMs: 100, onRound: () => rounds.a++ });
    const wb = b.lib.watch({ signal: stop.signal, intervalMs: 300, settleMs: 100, onRound: () => rounds.b++ });
    await waitFor(() => rounds.a > 0 && rounds.b > 0, 'the first rounds');
    await writeFile(join(a.dir, 'notes.md'), 'written on a');
    await waitFor(async () => (await contentOf(join(b.dir, 'notes.md'))) === 'written on a', 'the edit on b', { timeoutMs: 10_000 });
    stop.abort();
    await Promise.all([wa.done, wb.done]);
    for (const n of [a, b]) await n.lib.close();
  });

  it('a local change starts a round once it settles, long before the interval', async () => {
    const remote = createMemoryStorage();
    const a = await makeNode(remote, 'a');
    const stop = new AbortController();
    const summaries: number[] = [];
    const w = a.lib.watch({ signal: stop.signal, intervalMs: 60_000, settleMs: 100, onRound: (r) => 'summary' in r && summaries.push(r.summary.uploaded.versions) });
    await waitFor(() => summaries.length === 1, 'the first round');
    await writeFile(join(a.dir, 'x.md'), 'x');
    await waitFor(() => summaries.some((n) => n > 0), 'a round that uploads x.md', { timeoutMs: 10_000 });
    stop.abort();
    await w.done;
    await a.lib.close();
  });

  it('while nothing happens, a look at the remote is one listing and no round; news from another node starts one', async () => {
    const inner = createMemoryStorage();
    let lists = 0;
    const counted: Storage = { ...inner, list: (p, o) => (lists++, inner.list(p, o)) };
    const a = await makeNode(counted, 'a');
    const b = await makeNode(inner, 'b');
    const stop = new AbortController();
    let rounds = 0;
    const w = a.lib.watch({ signal: stop.signal, intervalMs: 50, settleMs: 50, onRound: () => rounds++ });
    await waitFor(() => rounds === 1, 'the first round');
    const before = lists;
    await new Promise((r) => setTimeout(r, 600));
    expect(rounds).toBe(1); // no scan of the folder, no round: only looks
    expect(lists - before).toBeGreaterThanOrEqual(4);
    await writeFile(join(b.dir, 'from-b.md'), 'b');
    await b.sync();
    await waitFor(async () => (await contentOf(join(a.dir, 'from-b.md'))) === 'b', 'the news on a', { timeoutMs: 10_000 });
    expect(rounds).toBe(2);
    stop.abort();
    await w.done;
    for (const n of [a, b]) await n.lib.close();
  });

  it('roundNow runs a round at once and answers with its summary', async () => {
    const remote = createMemoryStorage();
    const a = await makeNode(remote, 'a');
    const stop = new AbortController();
    const w = a.lib.watch({ signal: stop.signal, intervalMs: 60_000, settleMs: 60_000 });
    await writeFile(join(a.dir, 'y.md'), 'y');
    const summary = await w.trigger.roundNow();
    expect(summary.errors).toEqual([]);
    expect(a.lib.tree().has('y.md')).toBe(true);
    stop.abort();
    await w.done;
    await expect(w.trigger.roundNow()).rejects.toThrow();
    await a.lib.close();
  });

  it('an unreachable remote is retried with back-off, and the change goes up when it is back', async () => {
    const inner = createMemoryStorage();
    let down = false;
    const flaky: Storage = {
      ...inner,
      list: (p, o) => (down ? Promise.reject(new StorageError('Unavailable', 'the NAS is asleep')) : inner.list(p, o)),
    };
    const a = await makeNode(flaky, 'a', { retry: false });
    const stop = new AbortController();
    const failures: Error[] = [];
    let ok = 0;
    const w = a.lib.watch({ signal: stop.signal, intervalMs: 200, settleMs: 50, onRound: (r) => ('error' in r ? failures.push(r.error) : ok++) });
    await waitFor(() => ok > 0, 'a first round');
    down = true;
    await writeFile(join(a.dir, 'offline.md'), 'made while the remote was down');
    await waitFor(() => failures.length >= 2, 'two failed rounds');
    expect(failures[0]!.message).toMatch(/asleep/);
    down = false;
    await waitFor(async () => (await inner.list('log/')).objects.length >= 1, 'the edit on the remote', { timeoutMs: 15_000 });
    stop.abort();
    await w.done;
    await a.lib.close();
  });
});
