/**
 * Who made each version (docs/PROTOCOL.md §3.8): every node names the person and machine behind
 * each writer id, a changed name applies from the next segment on, an encrypted repository
 * seals the names, and an object that is not a valid author names nobody.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StorageError, isSyncError } from '@syncacross/sync-core';
import { createMemoryStorage } from '@syncacross/sync-core/testing';
import { cleanup, makeNode, syncAll } from './helpers.js';

afterEach(cleanup);

const ana = { user: 'Ana Lima', machine: 'office-pc' };
const ben = { user: 'Ben Okafor', machine: 'home-laptop' };

describe('authors', () => {
  it('each node names who wrote each version, its own and the others', async () => {
    const remote = createMemoryStorage();
    const a = await makeNode(remote, 'a', { author: ana });
    const b = await makeNode(remote, 'b', { author: ben });
    await writeFile(join(a.dir, 'notes.md'), 'by Ana');
    await a.sync();
    await writeFile(join(b.dir, 'paper.md'), 'by Ben');
    await syncAll([a, b]);
    for (const node of [a, b]) {
      const byPath = Object.fromEntries(node.lib.history().map((e) => [e.path, e.author]));
      expect(byPath).toEqual({ 'notes.md': ana, 'paper.md': ben });
    }
    // One object per writer id, not one per segment.
    expect(remote.debug.keys().filter((k) => k.startsWith('authors/'))).toHaveLength(2);
    await a.lib.close();
    await b.lib.close();
  });

  it('a changed name applies from the next segment on; earlier versions keep the old one', async () => {
    const remote = createMemoryStorage();
    const a1 = await makeNode(remote, 'a', { author: ana });
    const b = await makeNode(remote, 'b');
    await writeFile(join(a1.dir, 'f.txt'), 'one');
    await a1.sync();
    await a1.lib.close();
    const renamed = { user: 'Ana Lima-Souza', machine: 'office-pc' };
    const a = await makeNode(remote, 'a', { dir: a1.dir, author: renamed });
    await writeFile(join(a.dir, 'f.txt'), 'two');
    await a.sync();
    await b.sync();
    const names = b.lib.history('f.txt').map((e) => e.author?.user);
    expect(names).toEqual(['Ana Lima', 'Ana Lima-Souza']);
    // A node that publishes no author shows only its writer id.
    await writeFile(join(b.dir, 'g.txt'), 'anonymous');
    await b.sync();
    expect(b.lib.history('g.txt')[0]!.author).toBeUndefined();
    await a.lib.close();
    await b.lib.close();
  });

  it('an encrypted repository seals the names: no object holds them', async () => {
    const remote = createMemoryStorage();
    const secure = { newRepository: { format: 2 as const, encrypt: true, kdf: { N: 2 ** 10, r: 8, p: 1 } }, secret: { passphrase: 'a team passphrase' } };
    const a = await makeNode(remote, 'a', { author: ana, ...secure });
    const b = await makeNode(remote, 'b', { author: ben, ...secure });
    await writeFile(join(a.dir, 'x.txt'), 'x');
    await syncAll([a, b]);
    expect(b.lib.history()[0]!.author).toEqual(ana);
    for (const key of remote.debug.keys()) {
      const bytes = Buffer.from(remote.debug.raw(key)!);
      for (const name of ['Ana Lima', 'office-pc', 'Ben Okafor', 'home-laptop']) expect(bytes.includes(name) || key.includes(name), `${name} in ${key}`).toBe(false);
    }
    await a.lib.close();
    await b.lib.close();
  });

  it('an object that is not a valid author, or is one moved to another writer’s name, is retried, then reported once and names nobody', async () => {
    const remote = createMemoryStorage();
    let clock = Date.parse('2026-11-30T10:00:00Z');
    const now = () => clock;
    const a = await makeNode(remote, 'a', { author: ana, now });
    const b = await makeNode(remote, 'b', { author: ben, now });
    await writeFile(join(a.dir, 'x.txt'), 'x');
    await a.sync();
    const real = remote.debug.keys().find((k) => k.startsWith('authors/'))!;
    const writer = a.lib.writer;
    // Ana's object copied under a name claiming another writer's segments, and plain garbage.
    await remote.putIfAbsent('authors/mallory-0000.deadbeef/0000000001', remote.debug.raw(real)!);
    await remote.putIfAbsent(`authors/${writer}/0000000002`, new TextEncoder().encode('{"syncacross":"author"}'));
    // Read as torn at first (a name can be visible before its content is complete): retried quietly…
    const first = await b.sync();
    expect(first.errors).toEqual([]);
    expect(b.lib.history()[0]!.author).toEqual(ana);
    // …until the mismatch has persisted (five reads over 30 minutes), then reported once.
    const reported: string[] = [];
    for (let round = 0; round < 8; round++) {
      clock += 10 * 60_000;
      await writeFile(join(a.dir, `note-${round}.txt`), String(round));
      await a.sync();
      reported.push(...(await b.sync()).errors);
    }
    expect(reported.filter((e) => e.startsWith('ignored authors/')).sort()).toEqual([
      expect.stringContaining(`authors/${writer}/0000000002 on the remote: cannot be decoded`), // plain JSON, not gzip; writer a-… sorts first
      expect.stringContaining('authors/mallory-0000.deadbeef/0000000001 on the remote: its content is for another name'),
    ]);
    expect(reported.filter((e) => !e.startsWith('ignored authors/'))).toEqual([]);
    expect(new Set(b.lib.history().map((e) => e.author?.user))).toEqual(new Set(['Ana Lima']));
    await a.lib.close();
    await b.lib.close();
  });

  it('a remote failing on author objects holds no round back; a name readers would refuse is refused at open', async () => {
    const remote = createMemoryStorage();
    const refuseAuthors = {
      ...remote,
      list: async (prefix: string, o?: Parameters<typeof remote.list>[1]) => {
        if (prefix.startsWith('authors/')) throw new StorageError('Unavailable', 'authors/ is down');
        return remote.list(prefix, o);
      },
      putIfAbsent: async (key: string, bytes: Uint8Array) => {
        if (key.startsWith('authors/')) throw new StorageError('Unavailable', 'authors/ is down');
        return remote.putIfAbsent(key, bytes);
      },
    };
    const a = await makeNode(refuseAuthors, 'a', { author: ana });
    const b = await makeNode(refuseAuthors, 'b', { author: ben });
    await writeFile(join(a.dir, 'x.txt'), 'x');
    expect((await a.sync()).errors).toEqual([]);
    const got = await b.sync();
    expect(got.errors).toEqual([]);
    expect(b.lib.history()[0]!.author).toBeUndefined(); // only the writer id, until the remote answers
    await a.lib.close();
    await b.lib.close();
    await expect(makeNode(remote, 'c', { author: { user: 'Eve\u0007', machine: 'pc' } })).rejects.toSatisfy((e: unknown) => isSyncError(e, 'InvalidArgument'));
  });
});
