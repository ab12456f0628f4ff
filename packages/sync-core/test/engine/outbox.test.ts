/**
 * The durable outbox (engine/outbox/): while the remote cannot be reached, every change is still
 * taken at once (content staged in the state folder, version recorded), so later edits and
 * deletes lose nothing; the remote sees nothing until it is back, then the outbox drains first.
 * Real folders and SQLite; the remote is in memory behind a switch that makes it unreachable.
 */
import { readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { StagedError, Storage } from '@syncacross/sync-core';
import { createMemoryStorage, waitFor } from '@syncacross/sync-core/testing';
import { StorageError } from '../../src/storage/errors.js';
import { cleanup, makeNode, tempDir } from './helpers.js';

afterEach(cleanup);

/** A remote that can be switched off: every request then fails as an unreachable NAS's would. */
function switchable() {
  const inner = createMemoryStorage();
  /** `target`: where requests go (another storage stands for an empty folder where the share should be). */
  const state = { down: false, target: inner as Storage };
  const gate = <R>(fn: (s: Storage) => Promise<R>): Promise<R> => (state.down ? Promise.reject(new StorageError('Unavailable', 'the NAS is asleep')) : fn(state.target));
  const storage: Storage = {
    ...inner,
    putIfAbsent: (k, b) => gate((s) => s.putIfAbsent(k, b)),
    get: (k, o) => gate((s) => s.get(k, o)),
    list: (p, o) => gate((s) => s.list(p, o)),
    delete: (k) => gate((s) => s.delete!(k)),
  };
  const keys = async () => (await inner.list('')).objects.map((o) => o.key).sort();
  return { storage, state, keys, inner };
}

/** Writes a file with an mtime in the past, so the scan takes it at once. */
async function edit(path: string, text: string, secondsAgo: number): Promise<void> {
  await writeFile(path, text);
  const t = new Date(Date.now() - secondsAgo * 1000);
  await utimes(path, t, t);
}

async function syncFailing(sync: () => Promise<unknown>): Promise<StagedError> {
  const e = (await sync().then(
    () => undefined,
    (err: unknown) => err,
  )) as StagedError | undefined;
  if (!e) throw new Error('the sync succeeded while the remote was down');
  expect(e.code).toBe('Unavailable');
  return e;
}

describe('the durable outbox', () => {
  it('ten edits and a delete made while the remote is unreachable all reach every node, each with its content', async () => {
    const remote = switchable();
    const a = await makeNode(remote.storage, 'a', { retry: false });
    const b = await makeNode(remote.storage, 'b', { retry: false });
    const file = join(a.dir, 'notes.md');
    await edit(file, 'before going offline', 100);
    await a.sync();
    const onRemote = await remote.keys();

    remote.state.down = true;
    for (let i = 1; i <= 10; i++) {
      await edit(file, `offline edit ${i} ${'x'.repeat(i * 100)}`, 90 - i);
      const e = await syncFailing(() => a.sync());
      expect(e.staged.versions).toBe(1);
      expect(e.message).toMatch(/NAS is asleep; 1 change\(s\) here were staged locally/);
    }
    await rm(file);
    expect((await syncFailing(() => a.sync())).staged.versions).toBe(1);
    const status = a.lib.status();
    expect(status.pendingVersions).toBe(11);
    expect(status.staged.packs).toBeGreaterThan(0);
    remote.state.down = false;
    expect(await remote.keys()).toEqual(onRemote); // nothing reached the remote while it was "down"

    const back = await a.sync();
    expect(back.notices.join('\n')).toMatch(/uploaded \d+ pack\(s\) staged locally/);
    expect(a.lib.status().staged).toEqual({ packs: 0, bytes: 0 });
    expect(a.lib.status().pendingVersions).toBe(0);

    await b.sync();
    const history = b.lib.history('notes.md');
    expect(history).toHaveLength(12);
    expect(history[history.length - 1]!.deleted).toBe(true);
    // Every offline edit can be brought back on the other node, byte for byte.
    for (const i of [1, 5, 10]) {
      const to = await tempDir('syncacross-restored-');
      await b.lib.restore({ to: join(to, 'out'), at: history[i]!.hash, paths: ['notes.md'] });
      expect(await readFile(join(to, 'out', 'notes.md'), 'utf8')).toBe(`offline edit ${i} ${'x'.repeat(i * 100)}`);
    }
    for (const n of [a, b]) await n.lib.close();
  });

  it('past the staging limit nothing of the change is recorded, the error says so, and it goes up from disk later', async () => {
    const remote = switchable();
    const a = await makeNode(remote.storage, 'a', { retry: false, staging: { limitBytes: 4096 } });
    const b = await makeNode(remote.storage, 'b', { retry: false });
    await a.sync();
    remote.state.down = true;
    const big = randomBytes(64 * 1024).toString('base64'); // does not compress under the limit
    await edit(join(a.dir, 'big.txt'), big, 60);
    const e = await syncFailing(() => a.sync());
    expect(e.staged.full).toMatch(/outbox is full/);
    expect(e.message).toMatch(/could not stage the changes here: .*they stay on disk/);
    expect(a.lib.status().pendingVersions).toBe(0);
    remote.state.down = false;
    await a.sync();
    await b.sync();
    expect(await readFile(join(b.dir, 'big.txt'), 'utf8')).toBe(big);
    for (const n of [a, b]) await n.lib.close();
  });

  it('the outbox is never sent into a remote that is not this repository (an empty folder where the share should be)', async () => {
    const remote = switchable();
    const a = await makeNode(remote.storage, 'a', { retry: false });
    await a.sync();
    remote.state.down = true;
    await edit(join(a.dir, 'offline.md'), 'made offline', 60);
    expect((await syncFailing(() => a.sync())).staged.versions).toBe(1);
    remote.state.down = false;
    const empty = createMemoryStorage();
    remote.state.target = empty;
    await expect(a.sync()).rejects.toMatchObject({ code: 'RemoteEmptied' });
    expect((await empty.list('')).objects).toEqual([]);
    expect(a.lib.status().staged.packs).toBeGreaterThan(0);
    remote.state.target = remote.inner; // the share mounted again: now it goes
    await a.sync();
    expect(a.lib.status().staged).toEqual({ packs: 0, bytes: 0 });
    await a.lib.close();
  });

  it('with staging off, an unreachable remote fails as before and records nothing', async () => {
    const remote = switchable();
    const a = await makeNode(remote.storage, 'a', { retry: false, staging: false });
    await a.sync();
    remote.state.down = true;
    await edit(join(a.dir, 'x.md'), 'x', 60);
    const e = await syncFailing(() => a.sync());
    expect(e.staged).toBeUndefined();
    expect(a.lib.status().pendingVersions).toBe(0);
    await a.lib.close();
  });

  it('watch stages a change made while offline as soon as it settles, and sends it when the remote is back', async () => {
    const remote = switchable();
    const a = await makeNode(remote.storage, 'a', { retry: false });
    const b = await makeNode(remote.storage, 'b', { retry: false });
    await a.sync();
    remote.state.down = true;
    const stop = new AbortController();
    let failed = 0;
    const w = a.lib.watch({ signal: stop.signal, intervalMs: 60_000, settleMs: 100, maxBackoffMs: 200, onRound: (r) => 'error' in r && failed++ });
    await waitFor(() => failed > 0, 'a failed round');
    await writeFile(join(a.dir, 'offline.md'), 'written offline');
    await waitFor(() => a.lib.status().pendingVersions === 1, 'the change staged', { timeoutMs: 10_000 });
    await writeFile(join(a.dir, 'offline.md'), 'written offline, then changed');
    await waitFor(() => a.lib.status().pendingVersions === 2, 'the second change staged too', { timeoutMs: 10_000 });
    remote.state.down = false;
    await waitFor(() => a.lib.status().pendingVersions === 0 && a.lib.status().staged.packs === 0, 'the outbox drained', { timeoutMs: 10_000 });
    stop.abort();
    await w.done;
    await b.sync();
    expect(await readFile(join(b.dir, 'offline.md'), 'utf8')).toBe('written offline, then changed');
    expect(b.lib.history('offline.md')).toHaveLength(2);
    for (const n of [a, b]) await n.lib.close();
  });
});
