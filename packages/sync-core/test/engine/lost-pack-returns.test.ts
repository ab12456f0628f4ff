/**
 * A pack the remote lost comes back (a second rollback, to an older copy that holds it): the
 * content is found where it used to be, and published again (src/engine/lost-locations.ts;
 * simulation seed 1101476, where every node reported "no known location" for ever).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryStorage } from '@syncacross/sync-core/testing';
import { LocalState } from '../../src/local/state.js';
import { keepLostLocations, reclaimLostLocations } from '../../src/engine/lost-locations.js';
import { chunkLocations } from '../../src/engine/chunk-locations.js';
import { createHash } from 'node:crypto';
import { format2Codec } from '../../src/codec/repository-codec.js';
import { CondemnedPacks } from '../../src/local/condemned-packs.js';
import { StorageError } from '../../src/storage/errors.js';
import { cleanup, makeNode, snapshot, tempDir, type TestNode } from './helpers.js';

afterEach(cleanup);
const MIN = 60_000;

describe('a lost pack that comes back', () => {
  it('is read again by the nodes that forgot it, and taught again to one that kept nothing aside', async () => {
    const remote = createMemoryStorage();
    // a writes the only copy and goes away for good (its disk is lost).
    const a = await makeNode(remote, 'a');
    await writeFile(join(a.dir, 'only-a.txt'), 'only a ever had this');
    await a.sync();
    await a.lib.close();
    const pack = remote.debug.keys().find((k) => k.startsWith('packs/'))!;
    const packBytes = Uint8Array.from(remote.debug.raw(pack)!);
    remote.debug.remove(pack); // the first rollback: the segment stays, the pack goes

    let t = Date.now();
    const b = await makeNode(remote, 'b', { now: () => t });
    let c = await makeNode(remote, 'c', { now: () => t });
    const sawLost = new Set<string>();
    for (let i = 0; i < 20 && sawLost.size < 2; i++) {
      t += 10 * MIN;
      for (const [name, n] of [
        ['b', b],
        ['c', c],
      ] as const)
        if ((await n.sync()).errors.some((e) => /the remote lost 1 pack/.test(e))) sawLost.add(name);
    }
    expect([...sawLost].sort()).toEqual(['b', 'c']); // each looked, found it gone, forgot its locations
    expect(await snapshot(b.dir)).toEqual({});

    // c's state is one from before locations were kept aside (the previous release forgot them outright).
    const cDir = c.dir;
    await c.lib.close();
    const db = new Database(join(cDir, '.syncacross', 'state.db'));
    expect(db.prepare('DELETE FROM lost_chunk_locations').run().changes).toBeGreaterThan(0);
    db.close();
    c = await makeNode(remote, 'c', { dir: cDir, now: () => t });

    const unlocated = async () => (await b.lib.verify()).problems.filter((p) => p.kind === 'chunk-unlocated').map((p) => p.message);
    expect(await unlocated()).toEqual([expect.not.stringMatching(/on the remote again/)]);
    expect((await b.lib.restore({ to: await tempDir() })).failed.map((f) => f.path)).toEqual(['only-a.txt']);
    remote.debug.overwrite(pack, packBytes); // the second rollback brings the pack back
    // verify says a sync will mend it (it reads nothing back itself).
    expect(await unlocated()).toEqual([expect.stringMatching(new RegExp(`has no known location .*; ${pack}, which held it, is on the remote again: the next sync reads it back from there`))]);
    // A restore reads it from there at once, before any sync (and records nothing).
    const to = await tempDir();
    expect((await b.lib.restore({ to })).failed).toEqual([]);
    expect(await snapshot(to)).toEqual({ 'only-a.txt': 'only a ever had this' });
    const found = await b.sync();
    expect(found.notices.join('\n')).toMatch(/1 chunk\(s\) found again in packs the remote had lost/);
    expect(found.errors).toEqual([]);
    expect(await snapshot(b.dir)).toEqual({ 'only-a.txt': 'only a ever had this' });
    await b.sync(); // publishes the location it found again

    const seen = await c.sync();
    expect(seen.errors).toEqual([]);
    expect(await snapshot(c.dir)).toEqual({ 'only-a.txt': 'only a ever had this' });
    for (const n of [b, c] as TestNode[]) await n.lib.close();
  });
});

describe('reclaimLostLocations', () => {
  async function stateWithLostChunk() {
    const remote = createMemoryStorage();
    const codec = format2Codec(new Uint8Array(32).fill(9)); // sealed: a location's bytes are checked through the codec
    const chunk = new TextEncoder().encode('chunk bytes');
    const hash = createHash('sha256').update(chunk).digest('hex');
    const stored = codec.storeChunk(hash, chunk);
    const pack = `packs/${'p'.repeat(64)}`;
    remote.debug.overwrite(pack, Uint8Array.from([...new Uint8Array(5), ...stored]));
    const state = new LocalState(join(await tempDir(), 'state.db'));
    state.addChunk([hash, pack, 5, stored.byteLength], 'log/w/0000000001-0123456789abcdef');
    state.transaction(() => {
      keepLostLocations(state.db, [pack]);
      state.forgetPacks([pack]);
    });
    return { remote, codec, state, hash, pack, stored };
  }

  it('restores a location that reads back whole, unpublished', async () => {
    const { remote, codec, state, hash, pack, stored } = await stateWithLostChunk();
    expect(chunkLocations(state, hash)).toEqual([]);
    expect(await reclaimLostLocations(state, remote, codec, [hash])).toEqual([hash]);
    expect(chunkLocations(state, hash)).toEqual([[hash, pack, 5, stored.byteLength]]);
    expect(state.allUnpublishedChunks()).toEqual([[hash, pack, 5, stored.byteLength]]);
    state.close();
  });

  it('keeps aside one whose pack is still missing, and drops one that reads other bytes', async () => {
    const { remote, codec, state, hash, pack, stored } = await stateWithLostChunk();
    remote.debug.remove(pack);
    expect(await reclaimLostLocations(state, remote, codec, [hash])).toEqual([]);
    remote.debug.overwrite(pack, new Uint8Array(5 + stored.byteLength).fill(7)); // other bytes where the chunk was
    expect(await reclaimLostLocations(state, remote, codec, [hash])).toEqual([]);
    remote.debug.overwrite(pack, Uint8Array.from([...new Uint8Array(5), ...stored])); // too late: the location was dropped
    expect(await reclaimLostLocations(state, remote, codec, [hash])).toEqual([]);
    expect(chunkLocations(state, hash)).toEqual([]);
    state.close();
  });

  it('keeps the location aside when the storage cannot answer, and stops looking for the round', async () => {
    const { remote, codec, state, hash, pack, stored } = await stateWithLostChunk();
    const unreachable = { ...remote, get: async () => Promise.reject(new StorageError('Unavailable', 'the NAS dropped off')) };
    expect(await reclaimLostLocations(state, unreachable, codec, [hash])).toEqual([]);
    expect(await reclaimLostLocations(state, remote, codec, [hash])).toEqual([hash]); // the next round finds it
    expect(chunkLocations(state, hash)).toEqual([[hash, pack, 5, stored.byteLength]]);
    state.close();
  });

  it('never restores a location in a condemned pack', async () => {
    const { remote, codec, state, hash, pack } = await stateWithLostChunk();
    state.transaction(() => new CondemnedPacks(state.db).record('log/x/0000000002-0123456789abcdef', [pack]));
    expect(await reclaimLostLocations(state, remote, codec, [hash])).toEqual([]);
    expect(chunkLocations(state, hash)).toEqual([]);
    state.close();
  });
});
