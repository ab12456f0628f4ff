/**
 * The outbox's size limit (engine/outbox/superseded.ts, outbox-compaction.ts): past it, only the
 * newest version of a file is kept staged. The older offline versions it replaces are dropped and
 * said so, the history skips them without a conflict copy, and the staged bytes never pass the
 * limit. Real folders and SQLite; the remote is in memory behind a switch.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { StagedError, Storage } from '@syncacross/sync-core';
import { createMemoryStorage } from '@syncacross/sync-core/testing';
import { StorageError } from '../../src/storage/errors.js';
import { cleanup, makeNode, snapshot, tempDir } from './helpers.js';

afterEach(cleanup);

/** A remote that can be switched off: every request then fails as an unreachable NAS's would. */
function switchable() {
  const inner = createMemoryStorage();
  const state = { down: false };
  const gate = <R>(fn: () => Promise<R>): Promise<R> => (state.down ? Promise.reject(new StorageError('Unavailable', 'the NAS is asleep')) : fn());
  const storage: Storage = {
    ...inner,
    putIfAbsent: (k, b) => gate(() => inner.putIfAbsent(k, b)),
    get: (k, o) => gate(() => inner.get(k, o)),
    list: (p, o) => gate(() => inner.list(p, o)),
    delete: (k) => gate(() => inner.delete!(k)),
  };
  return { storage, state };
}

/** Writes a file with an mtime in the past (each edit a different one), so the scan takes it at once. */
async function edit(path: string, bytes: Uint8Array, secondsAgo: number): Promise<void> {
  await writeFile(path, bytes);
  const t = new Date(Date.now() - secondsAgo * 1000);
  await utimes(path, t, t);
}

async function offlineSync(sync: () => Promise<unknown>): Promise<StagedError> {
  const e = (await sync().then(
    () => undefined,
    (err: unknown) => err,
  )) as StagedError | undefined;
  if (!e?.staged) throw new Error(`the sync did not stage: ${String(e)}`);
  return e;
}

/** Bytes in the outbox's packs folder, as the disk has them. */
function outboxBytes(dir: string): number {
  const packs = join(dir, '.syncacross', 'outbox', 'packs');
  try {
    return readdirSync(packs).reduce((sum, n) => sum + statSync(join(packs, n)).size, 0);
  } catch {
    return 0;
  }
}

const MB = 1024 * 1024;

describe('the staging limit', () => {
  it('20 MB of edits under a 2 MB limit: the outbox never passes it, each capture keeps the newest version of every file and says what it dropped', async () => {
    const remote = switchable();
    const limit = 2 * MB;
    const a = await makeNode(remote.storage, 'a', { retry: false, staging: { limitBytes: limit } });
    const b = await makeNode(remote.storage, 'b', { retry: false });
    const files = ['a.bin', 'b.bin', 'c.bin', 'd.bin'];
    for (const f of files) await edit(join(a.dir, f), randomBytes(1000), 1000);
    await a.sync();

    remote.state.down = true;
    const last: Record<string, Buffer> = {};
    let changes = 0;
    let dropped = 0;
    for (let round = 1; changes < 20 * MB; round++) {
      for (const f of files) {
        last[f] = randomBytes(300 * 1024); // does not compress: 1.2 MB a round, more than half the limit
        await edit(join(a.dir, f), last[f], 900 - round);
        changes += last[f].byteLength;
      }
      const e = await offlineSync(() => a.sync());
      expect(e.staged.full).toBeUndefined();
      expect(e.staged.versions).toBe(4);
      expect(outboxBytes(a.dir)).toBeLessThanOrEqual(limit);
      expect(a.lib.status().staged.bytes).toBeLessThanOrEqual(limit);
      if (round > 1) {
        // The previous round's versions do not fit beside these: they are given up, and said so.
        expect(e.staged.dropped).toEqual({ versions: 4, files: 4 });
        expect(e.message).toMatch(/4 earlier offline version\(s\) of 4 file\(s\) were dropped to stay within the staging limit/);
      }
      dropped += e.staged.dropped.versions;
      expect(a.lib.status().pendingVersions).toBe(4);
    }
    expect(dropped).toBeGreaterThanOrEqual(4 * 15);

    remote.state.down = false;
    await a.sync();
    expect(a.lib.status().staged).toEqual({ packs: 0, bytes: 0 });
    await b.sync();
    // The newest of each file, as a plain edit of what b had: no conflict copy on either side.
    expect(Object.keys(await snapshot(b.dir)).sort()).toEqual(files);
    expect(Object.keys(await snapshot(a.dir)).sort()).toEqual(files);
    for (const f of files) {
      expect((await readFile(join(b.dir, f))).equals(last[f]!), f).toBe(true);
      expect(b.lib.history(f)).toHaveLength(2);
    }
    for (const n of [a, b]) await n.lib.close();
  }, 60_000);

  it('intermediate versions go first: the chain skips the dropped one, and every kept version can be restored', async () => {
    const remote = switchable();
    const a = await makeNode(remote.storage, 'a', { retry: false, staging: { limitBytes: 700 * 1024 } });
    const b = await makeNode(remote.storage, 'b', { retry: false });
    const file = join(a.dir, 'notes.bin');
    await edit(file, Buffer.from('online'), 1000);
    await a.sync();

    remote.state.down = true;
    const edits = [1, 2, 3].map(() => randomBytes(300 * 1024));
    await edit(file, edits[0]!, 900);
    expect((await offlineSync(() => a.sync())).staged.dropped).toEqual({ versions: 0, files: 0 });
    await edit(file, edits[1]!, 800);
    expect((await a.lib.capture()).dropped).toEqual({ versions: 0, files: 0 });
    await edit(file, edits[2]!, 700);
    // The third does not fit beside the first two: the first, which the second replaces, goes.
    const captured = await a.lib.capture();
    expect(captured).toMatchObject({ versions: 1, dropped: { versions: 1, files: 1 } });
    expect(captured.full).toBeUndefined();
    expect(a.lib.status().pendingVersions).toBe(2);

    // Not told yet (capture() only returns it): the next message about the outbox tells it, once.
    remote.state.down = false;
    const back = await a.sync();
    expect(back.notices.join('\n')).toMatch(/while the remote was unreachable, 1 earlier offline version\(s\) of 1 file\(s\) were dropped/);
    expect((await a.sync()).notices.join('\n')).not.toMatch(/dropped/);

    await b.sync();
    expect(Object.keys(await snapshot(b.dir))).toEqual(['notes.bin']);
    const history = b.lib.history('notes.bin');
    expect(history).toHaveLength(3);
    expect(history[1]!.parents).toEqual([history[0]!.hash]); // the second edit now follows the online version
    for (const [i, at] of [
      [1, 1],
      [2, 2],
    ] as const) {
      const to = await tempDir('syncacross-restored-');
      await b.lib.restore({ to: join(to, 'out'), at: history[at]!.hash, paths: ['notes.bin'] });
      expect((await readFile(join(to, 'out', 'notes.bin'))).equals(edits[i]!)).toBe(true);
    }
    for (const n of [a, b]) await n.lib.close();
  });

  it('the last content of a file deleted offline is never given up, even when the limit refuses the next change', async () => {
    const remote = switchable();
    const a = await makeNode(remote.storage, 'a', { retry: false, staging: { limitBytes: 500 * 1024 } });
    const b = await makeNode(remote.storage, 'b', { retry: false });
    await a.sync();
    remote.state.down = true;
    const kept = { 'report.bin': randomBytes(200 * 1024), 'memo.bin': randomBytes(200 * 1024) };
    for (const [f, bytes] of Object.entries(kept)) await edit(join(a.dir, f), bytes, 900);
    await offlineSync(() => a.sync());
    await rm(join(a.dir, 'report.bin'));
    await offlineSync(() => a.sync()); // its delete is recorded: the newest version of report.bin
    // memo.bin is deleted in the very capture the limit refuses: its content is on no disk either.
    await rm(join(a.dir, 'memo.bin'));
    await edit(join(a.dir, 'other.bin'), randomBytes(250 * 1024), 800);
    const e = await offlineSync(() => a.sync());
    expect(e.staged.full).toMatch(/outbox is full/);
    expect(e.staged.dropped.versions).toBe(0);

    remote.state.down = false;
    await a.sync();
    await b.sync();
    for (const [f, bytes] of Object.entries(kept)) {
      const history = b.lib.history(f);
      expect(history.map((v) => v.deleted ?? false)).toEqual([false, true]);
      const to = await tempDir('syncacross-restored-');
      await b.lib.restore({ to: join(to, 'out'), at: history[0]!.hash, paths: [f] });
      expect((await readFile(join(to, 'out', f))).equals(bytes), f).toBe(true);
    }
    expect(await readFile(join(b.dir, 'other.bin'))).toHaveLength(250 * 1024); // went up from disk
    for (const n of [a, b]) await n.lib.close();
  });

  it('a pack shared with content still needed is rewritten without what was given up, and what it keeps still reads back', async () => {
    const remote = switchable();
    const limit = 700 * 1024;
    const a = await makeNode(remote.storage, 'a', { retry: false, staging: { limitBytes: limit } });
    const b = await makeNode(remote.storage, 'b', { retry: false });
    await a.sync();
    remote.state.down = true;
    const kept = randomBytes(300 * 1024);
    await edit(join(a.dir, 'kept.bin'), kept, 900);
    await edit(join(a.dir, 'edited.bin'), randomBytes(300 * 1024), 900);
    await offlineSync(() => a.sync()); // one pack holds both
    const newest = randomBytes(300 * 1024);
    await edit(join(a.dir, 'edited.bin'), newest, 800);
    const e = await offlineSync(() => a.sync());
    expect(e.staged).toMatchObject({ versions: 1, dropped: { versions: 1, files: 1 } });
    expect(outboxBytes(a.dir)).toBeLessThanOrEqual(limit);
    expect(outboxBytes(a.dir)).toBeGreaterThanOrEqual(600 * 1024); // both newest versions: the kept file and the edit

    remote.state.down = false;
    await a.sync();
    await b.sync();
    expect((await readFile(join(b.dir, 'kept.bin'))).equals(kept)).toBe(true);
    expect((await readFile(join(b.dir, 'edited.bin'))).equals(newest)).toBe(true);
    expect(b.lib.history('edited.bin')).toHaveLength(1);
    for (const n of [a, b]) await n.lib.close();
  });
});
