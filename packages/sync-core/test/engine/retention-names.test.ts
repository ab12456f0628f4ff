/**
 * Superseded names outlive the checkpoints that first named them (docs/PROTOCOL.md §3.10, §3.11):
 * a checkpoint that does not prune names nothing superseded, though its writer's state lacks what
 * an earlier pruning left out. Collection relying on such a checkpoint must not delete the pruning
 * ones: a node that comes back holding a pruned version would find nothing saying it was replaced
 * (simulation seed 37053 of the collection campaign, where a stale read hid the setting in force).
 * And a listed setting that cannot be read yet is not taken for a deleted one.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StorageError, type Storage } from '@syncacross/sync-core';
import { cleanup, makeNode, snapshot } from './helpers.js';
import { clockedWorld, keys } from './clocked-world.js';

afterEach(cleanup);

const HOUR = 3_600_000;

describe('superseded names under collection', () => {
  it('a collection relying on a checkpoint that did not prune keeps the checkpoints naming what was pruned: no stale copy comes back', async () => {
    const { clock, remote, node } = clockedWorld(4);
    const a = await node('a');
    const b = await node('b');
    await writeFile(join(a.dir, 'note.md'), 'note v0\n');
    await a.sync();
    await b.sync(); // B holds v0, then goes away
    for (let r = 1; r <= 2; r++) {
      clock.t += HOUR;
      await writeFile(join(a.dir, 'note.md'), `note v${r}\n`);
      await a.sync();
    }
    await a.lib.retention({ keepLast: 1 });
    const pruning = await a.lib.collect({ marginMs: HOUR }); // names v0 and v1 superseded
    expect(pruning.wrote?.pruned).toBe(2);
    clock.t += 2 * HOUR;
    await a.lib.collect({ marginMs: HOUR }); // the segments go: that checkpoint is now where the names are

    // Retention is turned off: A's next checkpoint prunes nothing, so it names nothing, and its
    // state no longer holds v0 and v1.
    await a.lib.retention({});
    await writeFile(join(a.dir, 'other.md'), 'other\n');
    await a.sync();
    const plain = await a.lib.collect({ marginMs: HOUR });
    expect(plain.wrote?.pruned).toBeUndefined();
    clock.t += 2 * HOUR;
    const relied = await a.lib.collect({ marginMs: HOUR });
    expect(relied.plan.checkpoint?.key).toBe(plain.wrote!.key);
    expect(keys(remote, 'checkpoints/')).toContain(pruning.wrote!.key);

    // B comes back holding v0 as its head: it takes it for replaced, and brings no conflict copy back.
    expect((await b.sync()).errors).toEqual([]);
    expect(await snapshot(b.dir)).toEqual(await snapshot(a.dir));
    expect(b.lib.status().conflicts).toEqual([]);
  });
});

describe('a pruning checkpoint under collection', () => {
  it('one pruning as of a clock a day behind does not take its place: the author of a pruned version does not send its collected segment again', async () => {
    const { clock, remote, node } = clockedWorld(5);
    const a = await node('a');
    const c = await node('c');
    for (let r = 0; r <= 1; r++) {
      await writeFile(join(c.dir, 'note.md'), `note v${r}\n`);
      await c.sync();
      clock.t += HOUR;
    }
    await a.sync();
    await writeFile(join(a.dir, 'note.md'), 'note v2\n');
    await a.sync();
    clock.t += 3 * HOUR;
    await a.lib.retention({ keepWithinMs: HOUR });
    const pruning = await a.lib.collect({ marginMs: HOUR }); // prunes c's v0 and v1: older than an hour
    expect(pruning.wrote?.pruned).toBe(2);
    clock.t += 2 * HOUR;
    await a.lib.collect({ marginMs: HOUR }); // c's segments go
    expect(keys(remote, 'log/c-')).toEqual([]);

    // b's clock is a day behind: its checkpoint prunes as of then, when v0 and v1 were in the future (kept by keepWithin).
    const b = await makeNode(remote, 'b', { now: () => clock.t - 24 * HOUR, checkpoints: { every: 1 } });
    await b.sync();
    await writeFile(join(b.dir, 'other.md'), 'other\n');
    await b.sync();
    clock.t += 2 * HOUR;
    await a.lib.collect({ marginMs: HOUR });
    expect(keys(remote, 'checkpoints/')).toContain(pruning.wrote!.key);

    // c's uploaded segments are gone: collected, as the pruning checkpoint still shows; not lost.
    expect((await c.sync()).errors).toEqual([]);
    expect(keys(remote, 'log/c-').filter((k) => /\/000000000[12]-/.test(k))).toEqual([]);
    for (const n of [a, b, c]) await n.lib.close();
  });
});

describe('the retention setting in force', () => {
  it('a listed setting a stale read cannot find yet is not taken for deleted: nothing is pruned by an older one', async () => {
    const { clock, remote, node } = clockedWorld(4);
    const a = await node('a');
    for (let r = 0; r < 3; r++) {
      clock.t += HOUR;
      await writeFile(join(a.dir, 'note.md'), `note v${r}\n`);
      await a.sync();
    }
    await a.lib.retention({ keepLast: 1 });
    clock.t += HOUR;
    await a.lib.retention({ keepLast: 3 });
    const newest = keys(remote, 'retention/').sort().at(-1)!;
    // B's reads of the newest setting are stale (the store lists it before it serves it).
    const stale: Storage = { ...remote, get: async (key, o) => (key === newest ? Promise.reject(new StorageError('NotFound', `stale: ${key}`)) : remote.get(key, o)) };
    const b = await makeNode(stale, 'b', { now: () => clock.t, checkpoints: { every: 1000 } });
    await b.sync();
    await expect(b.lib.checkpoint()).rejects.toMatchObject({ code: 'Unavailable' });
    expect(keys(remote, 'checkpoints/')).toEqual([]);
    expect(b.lib.history().length).toBe(3); // keepLast 3, the setting in force, keeps every version
  });
});
