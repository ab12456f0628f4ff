/**
 * Retention (docs/PROTOCOL.md §3.11): a policy set from any node prunes the history checkpoints
 * carry; collection then deletes the segments, and every node's state shrinks with them. Heads
 * (deletes among them) are never pruned, a node that comes back still holding a pruned version
 * brings no stale copy back, and a checkpoint that prunes what it may not is not relied on.
 */
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, makeNode, snapshot } from './helpers.js';
import { clockedWorld, keys } from './clocked-world.js';

afterEach(cleanup);

const HOUR = 3_600_000;

describe('retention', () => {
  it('prunes by the policy: heads and deletes stay, a returning node brings nothing stale back, a new node joins the pruned history', async () => {
    const { clock, remote, node } = clockedWorld(4);
    const a = await node('a');
    const b = await node('b');
    for (let i = 0; i < 4; i++) await writeFile(join(a.dir, `note-${i}.md`), `note ${i} v0\n`);
    await a.sync();
    await b.sync(); // B holds v0 of every note, then goes away
    for (let r = 1; r <= 6; r++) {
      clock.t += HOUR;
      for (let i = 0; i < 4; i++) await writeFile(join(a.dir, `note-${i}.md`), `note ${i} v${r}\n`);
      await a.sync();
    }
    await rm(join(a.dir, 'note-3.md'));
    await a.sync();
    const versionsBefore = a.lib.history().length;
    expect(versionsBefore).toBe(4 * 7 + 1);

    // A checkpoint of the whole history first (as any earlier gc would have left).
    expect((await a.lib.collect({ marginMs: HOUR })).wrote?.pruned).toBeUndefined();
    const set = await a.lib.retention({ keepLast: 2 });
    expect(set).toMatchObject({ policy: { keepLast: 2 }, changed: true });
    expect(set.described).toMatch(/the last 2/);
    expect((await b.lib.retention()).policy).toEqual({ keepLast: 2 }); // every node reads the same
    expect((await a.lib.retention({ keepLast: 2 })).changed).toBe(false);

    const first = await a.lib.collect({ marginMs: HOUR });
    // Per note: the head and the one before it (note-3: its delete and v6); v0..v4 of each (v0..v5 of note-3) pruned.
    expect(first.wrote?.pruned).toBe(3 * 5 + 6);
    expect(first.deleted).toBe(0);
    expect(a.lib.history().length).toBe(versionsBefore - 21); // this node's own state shrank with it
    clock.t += 2 * HOUR;
    const done = await a.lib.collect({ marginMs: HOUR });
    expect(done.deleted).toBeGreaterThan(0);
    expect(keys(remote, 'log/')).toEqual([]);
    // The checkpoint of the whole history goes too: the pruning one carries all it did, or prunes it rightly.
    expect(keys(remote, 'checkpoints/')).toEqual([first.wrote!.key]);

    // B comes back holding v0 of every note as its head: it takes the pruned history for collected,
    // writes every head, brings no conflict copy of v0 and no deleted note back, and sends nothing.
    const bs = await b.sync();
    expect(bs.errors).toEqual([]);
    expect(await snapshot(b.dir)).toEqual(await snapshot(a.dir));
    expect(Object.keys(await snapshot(b.dir)).sort()).toEqual(['note-0.md', 'note-1.md', 'note-2.md']);
    expect(keys(remote, 'log/')).toEqual([]);
    expect(b.lib.status().conflicts).toEqual([]);

    // A new machine joins from the pruned checkpoint.
    const c = await node('c');
    expect((await c.sync()).errors).toEqual([]);
    expect(await snapshot(c.dir)).toEqual(await snapshot(a.dir));
    expect(c.lib.history().length).toBe(versionsBefore - 21);

    // Edits after pruning merge as before, on every node.
    await writeFile(join(c.dir, 'note-0.md'), 'note 0 from c\n');
    await c.sync();
    await a.sync();
    await b.sync();
    for (const n of [a, b]) expect(await snapshot(n.dir)).toEqual(await snapshot(c.dir));
    for (const n of [a, b, c]) expect(n.lib.status().conflicts).toEqual([]);
    for (const n of [a, b, c]) expect((await n.lib.verify()).problems).toEqual([]);
  });

  it('a node reading a checkpoint written by a clock a day ahead prunes as of its own time: keepWithin still keeps', async () => {
    const { clock, remote, node } = clockedWorld(4);
    const b = await node('b');
    // A's clock runs a day ahead of everyone's (and the storage's).
    const a = await makeNode(remote, 'a', { now: () => clock.t + 24 * HOUR, checkpoints: { every: 1000 } });
    for (let r = 0; r < 4; r++) {
      clock.t += 10 * 60_000;
      await writeFile(join(b.dir, 'note.md'), `note v${r}\n`);
      await b.sync();
    }
    await a.sync();
    await a.lib.retention({ keepLast: 1, keepWithinMs: HOUR });
    expect((await a.lib.checkpoint())?.pruned).toBe(3); // as of A's clock, a day on, only the head is within the hour
    const before = b.lib.history().length;
    await b.sync(); // reads A's checkpoint (it is listed): prunes as of its own clock, where all four are within the hour
    expect(b.lib.history().length).toBe(before);
  });

  it('a node reading a checkpoint pruned under an earlier setting does not prune its own state by it: the setting in force keeps more', async () => {
    const { clock, node } = clockedWorld(4);
    const a = await node('a');
    const b = await node('b');
    for (let r = 0; r < 4; r++) {
      clock.t += 10 * 60_000;
      await writeFile(join(b.dir, 'note.md'), `note v${r}\n`);
      await b.sync();
    }
    await a.sync();
    await a.lib.retention({ keepLast: 1 });
    expect((await a.lib.checkpoint())?.pruned).toBe(3);
    // Then a longer policy, before any checkpoint prunes under it (simulation seeds 60647, 62314).
    await a.lib.retention({ keepLast: 1, keepWithinMs: 24 * HOUR });
    const before = b.lib.history().length;
    await b.sync(); // reads A's checkpoint, pruned to "the last 1": the setting in force keeps all four
    expect(b.lib.history().length).toBe(before);
  });

  it('needs format 4: a format-3 repository says to upgrade, and changes nothing', async () => {
    const { remote, node } = clockedWorld(3);
    const a = await node('a');
    await writeFile(join(a.dir, 'x.md'), 'x\n');
    await a.sync();
    await expect(a.lib.retention({ keepLast: 1 })).rejects.toMatchObject({ code: 'CannotCollect', message: expect.stringMatching(/syncacross upgrade/) });
    expect(keys(remote, 'retention/')).toEqual([]);
    expect((await a.lib.retention()).described).toMatch(/every version/);
    await a.lib.upgrade();
    expect((await a.lib.retention({ keepLast: 1 })).policy).toEqual({ keepLast: 1 });
  });
});
