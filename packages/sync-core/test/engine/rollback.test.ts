/**
 * A storage restored from an older copy (a NAS or bucket backup) loses the segments and packs
 * written since. Nodes must put back what they still have, and converge (docs/PROTOCOL.md §7.1).
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryStorage } from '@syncacross/sync-core/testing';
import { LocalState } from '../../src/local/state.js';
import { cleanup, makeNode, snapshot, syncAll, tempDir, type TestNode } from './helpers.js';
import type { Storage } from '@syncacross/sync-core';

afterEach(cleanup);

/**
 * a, reopened on `aDir`, finds the one pack it wrote lost and uploads its content again in one
 * round; b then gets from-a.txt on its first read: no failed reads, no waiting for the pack to be
 * condemned.
 */
async function expectAuthorResupplies(remote: Storage, aDir: string, b: TestNode): Promise<void> {
  const a = await makeNode(remote, 'a', { dir: aDir });
  const repair = await a.sync();
  expect(repair.errors.join('\n')).toMatch(/lost 1 pack/);
  expect(repair.uploaded.packs).toBe(1);
  const got = await b.sync();
  expect(got.retryable).toEqual([]);
  expect(await snapshot(b.dir)).toEqual({ 'from-a.txt': 'a wrote it' });
  await a.lib.close();
  await b.lib.close();
}

describe('the storage rolled back to an older copy', () => {
  it('puts back the segments and content it lost, and a new node gets everything', async () => {
    const remote = createMemoryStorage();
    const a = await makeNode(remote, 'a');
    const b = await makeNode(remote, 'b');
    await writeFile(join(a.dir, 'kept.txt'), 'written before the copy');
    await syncAll([a, b]);
    const copy = remote.debug.snapshot();

    await writeFile(join(a.dir, 'kept.txt'), 'edited after the copy');
    await writeFile(join(a.dir, 'new.txt'), 'created after the copy');
    await a.sync();
    await b.sync();
    remote.debug.restore(copy); // both of a's new objects (a pack and a segment) are gone

    const repair = await a.sync();
    expect(repair.errors.join('\n')).toMatch(/lost 1 pack/);
    expect(repair.uploaded.packs).toBe(1);
    await syncAll([a, b]);
    const c = await makeNode(remote, 'c');
    await c.sync();
    const expected = { 'kept.txt': 'edited after the copy', 'new.txt': 'created after the copy' };
    expect(await snapshot(a.dir)).toEqual(expected);
    expect(await snapshot(b.dir)).toEqual(expected);
    expect(await snapshot(c.dir)).toEqual(expected);
    for (const n of [a, b, c]) await n.lib.close();
  });

  it('a segment a crash left unsent names a pack the rollback took: its author uploads the content again at once (simulation seed 3766)', async () => {
    const remote = createMemoryStorage();
    const b = await makeNode(remote, 'b');
    await b.sync();
    const copy = remote.debug.snapshot();
    // a uploads its pack, then dies at its segment's upload: the segment stays in its journal.
    let cut = true;
    const dying = {
      ...remote,
      putIfAbsent: async (key: string, bytes: Uint8Array) => {
        if (cut && key.startsWith('log/')) {
          cut = false;
          throw new Error('power cut');
        }
        return remote.putIfAbsent(key, bytes);
      },
    };
    const aDir = await tempDir();
    const a1 = await makeNode(dying, 'a', { dir: aDir });
    await writeFile(join(aDir, 'from-a.txt'), 'a wrote it');
    await expect(a1.sync()).rejects.toThrow('power cut');
    await a1.lib.close();
    expect(remote.debug.keys().some((k) => k.startsWith('packs/'))).toBe(true);
    remote.debug.restore(copy); // the pack is gone; the segment naming it was never there

    // a sends the segment late: it looks for the packs it names, finds one lost, uploads the content again.
    await expectAuthorResupplies(remote, aDir, b);
  });

  it('a rollback between a pack and the segment naming it: the author notices at once and uploads the content again (simulation seed 141640)', async () => {
    const remote = createMemoryStorage();
    const b = await makeNode(remote, 'b');
    await b.sync();
    const copy = remote.debug.snapshot();
    // The storage goes back to its copy just before a's segment goes up: the pack is gone, the
    // segment that names it arrives after the rollback and stays.
    const rolledBackBeforeSegment = {
      ...remote,
      putIfAbsent: async (key: string, bytes: Uint8Array) => {
        if (key.startsWith('log/') && remote.debug.keys().some((k) => k.startsWith('packs/'))) remote.debug.restore(copy);
        return remote.putIfAbsent(key, bytes);
      },
    };
    const aDir = await tempDir();
    const a1 = await makeNode(rolledBackBeforeSegment, 'a', { dir: aDir });
    await writeFile(join(aDir, 'from-a.txt'), 'a wrote it');
    const first = await a1.sync();
    expect(remote.debug.keys().some((k) => k.startsWith('packs/'))).toBe(false);
    // Not called done: the sync says its content must go up again.
    expect(first.retryable.join('\n')).toMatch(/already gone from the remote/);
    await a1.lib.close();

    await expectAuthorResupplies(remote, aDir, b);
  });

  it('republishes another node’s edit that the remote lost for good (its author is gone), content included', async () => {
    const remote = createMemoryStorage();
    const a = await makeNode(remote, 'a');
    const b = await makeNode(remote, 'b');
    await syncAll([a, b]);
    const copy = remote.debug.snapshot();
    await writeFile(join(a.dir, 'only-a-wrote-this.txt'), 'a’s work');
    await a.sync();
    await b.sync();
    expect(await readFile(join(b.dir, 'only-a-wrote-this.txt'), 'utf8')).toBe('a’s work');
    await a.lib.close(); // a's machine is gone
    remote.debug.restore(copy);

    const repair = await b.sync();
    expect(repair.errors.join('\n')).toMatch(/its versions go out again from this node/);
    await b.sync();
    const c = await makeNode(remote, 'c');
    await c.sync();
    expect(await snapshot(c.dir)).toEqual({ 'only-a-wrote-this.txt': 'a’s work' });
    await b.lib.close();
    await c.lib.close();
  });

  it('a lost segment that a later rollback brings back teaches its locations again (simulation seed 413570)', async () => {
    const remote = createMemoryStorage();
    const a = await makeNode(remote, 'a');
    const b = await makeNode(remote, 'b');
    await syncAll([a, b]);
    const before = remote.debug.snapshot();
    await writeFile(join(a.dir, 'from-a.txt'), 'a wrote it');
    await a.sync();
    const after = remote.debug.snapshot();
    // b learns the version while the pack is briefly missing: it has no content of it.
    for (const key of remote.debug.snapshot().keys()) if (key.startsWith('packs/') && !before.has(key)) remote.debug.remove(key);
    await b.sync();
    remote.debug.restore(before); // a's segment is gone: b republishes it and forgets the lost pack
    expect((await b.sync()).errors.join('\n')).toMatch(/its versions go out again from this node/);
    remote.debug.restore(after); // a newer copy brings segment and pack back; a never noticed a thing

    await b.sync();
    expect(await snapshot(b.dir)).toEqual({ 'from-a.txt': 'a wrote it' });
    await a.lib.close();
    await b.lib.close();
  });

  it('an announcement of lost packs makes other nodes look, and they re-upload what they hold', async () => {
    const remote = createMemoryStorage();
    const a = await makeNode(remote, 'a');
    const b = await makeNode(remote, 'b');
    await syncAll([a, b]);
    await writeFile(join(b.dir, 'from-b.txt'), 'b wrote it');
    await syncAll([b, a]);
    // The pack alone disappears (a partial restore): only a read of it can tell.
    const pack = remote.debug.keys().find((k) => k.startsWith('packs/'))!;
    remote.debug.remove(pack);
    await writeFile(join(a.dir, 'from-a.txt'), 'a wrote it');
    await b.sync();
    // a's new file needs no repair; then a new node asks for b's content and finds it missing.
    // A pack missing once may only be late (a mount showing names before content): c retries,
    // and looks for lost packs only when the miss persists (5 reads over 30 minutes).
    let t = Date.now();
    const c = await makeNode(remote, 'c', { now: () => t });
    const first = await c.sync();
    expect(first.retryable.join('\n')).toMatch(/could not restore from-b\.txt/);
    expect(first.errors).toEqual([]);
    let looked = false;
    for (let i = 0; i < 20 && !looked; i++) {
      t += 10 * 60_000;
      looked = (await c.sync()).errors.some((e) => /the remote lost 1 pack/.test(e)); // c looks, finds the pack lost, announces it
    }
    expect(looked).toBe(true);
    await syncAll([a, b, c]);
    await syncAll([a, b, c]);
    const expected = { 'from-a.txt': 'a wrote it', 'from-b.txt': 'b wrote it' };
    expect(await snapshot(c.dir)).toEqual(expected);
    expect(await snapshot(a.dir)).toEqual(expected);
    for (const n of [a, b, c]) await n.lib.close();
  });

  it('a renamed file is copied from the local file it came from, not downloaded', async () => {
    const remote = createMemoryStorage();
    const a = await makeNode(remote, 'a');
    const b = await makeNode(remote, 'b');
    const big = 'x'.repeat(200_000);
    await writeFile(join(a.dir, 'big.txt'), big);
    await syncAll([a, b]);
    await mkdir(join(a.dir, 'moved'));
    await rename(join(a.dir, 'big.txt'), join(a.dir, 'moved/big.txt'));
    await a.sync();
    const s = await b.sync();
    expect(await readFile(join(b.dir, 'moved/big.txt'), 'utf8')).toBe(big);
    expect(s.bytesDown).toBeLessThan(10_000); // the segment only: no pack read
    await a.lib.close();
    await b.lib.close();
  });

  it('moves chunk locations of an older state database into the table that keeps several per chunk', async () => {
    const dir = await tempDir();
    const file = join(dir, 'state.db');
    const old = new Database(file);
    old.exec('CREATE TABLE chunks (hash TEXT PRIMARY KEY, pack TEXT NOT NULL, offset INTEGER NOT NULL, length INTEGER NOT NULL, segment TEXT)');
    old.prepare('INSERT INTO chunks VALUES (?, ?, ?, ?, ?)').run('c'.repeat(64), `packs/${'p'.repeat(64)}`, 10, 20, 'log/w/0000000001-0123456789abcdef');
    old.close();
    const state = new LocalState(file);
    expect(state.chunk('c'.repeat(64))).toEqual(['c'.repeat(64), `packs/${'p'.repeat(64)}`, 10, 20]);
    expect(state.db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'chunks'").get()).toBeUndefined();
    state.addChunk(['c'.repeat(64), `packs/${'q'.repeat(64)}`, 0, 20], null);
    expect(state.chunk('c'.repeat(64))![1]).toBe(`packs/${'q'.repeat(64)}`); // the one learned last
    state.forgetPacks([`packs/${'q'.repeat(64)}`]);
    expect(state.chunk('c'.repeat(64))![1]).toBe(`packs/${'p'.repeat(64)}`); // the other copy stays
    state.close();
  });
});

describe('a round cut short after it applied remote versions', () => {
  it('still writes them out in the next round (found by the simulation, seeds 51652 and 51917)', async () => {
    const remote = createMemoryStorage();
    const a = await makeNode(remote, 'a');
    await writeFile(join(a.dir, 'from-a.txt'), 'a wrote it');
    await a.sync();
    let cut = true;
    // The process dies while uploading its own segment: after it applied a's, before it wrote the folder.
    const dying = {
      ...remote,
      putIfAbsent: async (key: string, bytes: Uint8Array) => {
        if (cut && key.startsWith('log/')) {
          cut = false;
          throw new Error('power cut');
        }
        return remote.putIfAbsent(key, bytes);
      },
    };
    const bDir = await tempDir();
    const b1 = await makeNode(dying, 'b', { dir: bDir });
    await writeFile(join(bDir, 'from-b.txt'), 'b wrote it');
    await expect(b1.sync()).rejects.toThrow('power cut');
    await b1.lib.close();
    const b = await makeNode(remote, 'b', { dir: bDir });
    await b.sync();
    expect(await snapshot(bDir)).toEqual({ 'from-a.txt': 'a wrote it', 'from-b.txt': 'b wrote it' });
    await a.sync();
    expect(await snapshot(a.dir)).toEqual({ 'from-a.txt': 'a wrote it', 'from-b.txt': 'b wrote it' });
    await a.lib.close();
    await b.lib.close();
  });
});
