/**
 * Pack collection in two phases (src/engine/collection/pack-collection.ts, docs/PROTOCOL.md
 * §3.12): a pack no kept version needs is condemned (announced in a segment), and deleted by the
 * node that announced it a margin later, if still unneeded. Nobody deduplicates against a
 * condemned pack; a version made before its writer learned of the condemnation is given its
 * content again before it is published.
 */
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { LocalState } from '../../src/local/state.js';
import { cleanup, makeNode } from './helpers.js';
import { clockedWorld, keys } from './clocked-world.js';
import { switchable } from './switchable-storage.js';

afterEach(cleanup);

const HOUR = 3_600_000;

/** Five versions of one note, a pack each; then a retention of one version and the checkpoint that prunes the rest. */
async function historyOfFive() {
  const world = clockedWorld(6);
  const a = await world.node('a');
  for (let r = 0; r <= 4; r++) {
    world.clock.t += HOUR;
    await writeFile(join(a.dir, 'note.md'), `note v${r}\n`);
    await a.sync();
  }
  await a.lib.retention({ keepLast: 1 });
  await a.lib.collect({ marginMs: HOUR }); // writes the pruning checkpoint
  world.clock.t += 2 * HOUR;
  return { ...world, a };
}

describe('pack collection (format 5)', () => {
  it('condemns the packs no kept version needs, and deletes them a margin later; a node joining then has every head', async () => {
    const { clock, remote, node, a } = await historyOfFive();
    const before = keys(remote, 'packs/');
    expect(before).toHaveLength(5);

    const first = await a.lib.collect({ marginMs: HOUR });
    expect(first.plan.checkpoint?.pruned).toBe(true);
    expect(first.plan.packCollection?.condemn).toHaveLength(4); // v0..v3
    expect(first.plan.packCollection?.delete).toEqual([]);
    expect(keys(remote, 'packs/')).toEqual(before); // announced, not deleted
    const announcement = keys(remote, 'log/').at(-1)!;
    expect(announcement).toMatch(/^log\/a-/);

    clock.t += HOUR / 2;
    const early = await a.lib.collect({ marginMs: HOUR });
    expect(early.plan.packCollection).toMatchObject({ condemn: [], delete: [], waiting: 4 });
    expect(keys(remote, 'packs/')).toHaveLength(5);

    clock.t += HOUR;
    const due = await a.lib.collect({ marginMs: HOUR });
    expect(due.plan.packCollection?.delete).toHaveLength(4);
    expect(keys(remote, 'packs/')).toHaveLength(1);
    expect((await a.lib.collect({ marginMs: HOUR })).plan.packCollection).toMatchObject({ condemn: [], delete: [], waiting: 0 });

    await a.sync(); // deleted packs are collected, not lost: no error, nothing uploaded again
    const c = await node('c');
    const joined = await c.sync();
    expect(joined.errors).toEqual([]);
    expect(await readFile(join(c.dir, 'note.md'), 'utf8')).toBe('note v4\n');
    await a.lib.close();
    await c.lib.close();
  });

  it('packs condemned by a machine that never collects again are condemned again by another, and deleted by it', async () => {
    const { clock, remote, node, a } = await historyOfFive();
    const b = await node('b');
    await b.sync();
    expect((await a.lib.collect({ marginMs: HOUR })).plan.packCollection?.condemn).toHaveLength(4);
    await a.lib.close(); // a is retired: its announcements will never be carried out
    clock.t += 2 * HOUR;
    await b.sync();
    const again = await b.lib.collect({ marginMs: HOUR });
    expect(again.plan.packCollection?.condemn).toHaveLength(4);
    expect(keys(remote, 'packs/')).toHaveLength(5);
    clock.t += 2 * HOUR;
    expect((await b.lib.collect({ marginMs: HOUR })).plan.packCollection?.delete).toHaveLength(4);
    expect(keys(remote, 'packs/')).toHaveLength(1);
    const c = await node('c');
    expect((await c.sync()).errors).toEqual([]);
    expect(await readFile(join(c.dir, 'note.md'), 'utf8')).toBe('note v4\n');
    for (const n of [b, c]) await n.lib.close();
  });

  it('a segment deduplicated into a pack, sent only after the pack was condemned and deleted, gets its content uploaded again', async () => {
    const { clock, remote, node, a } = await historyOfFive();
    const nas = switchable(remote);
    const b = await node('b', 5, nas.storage);
    await b.sync(); // knows every location, v0's included
    // b brings back v0's text: deduplicated (b has not seen a condemnation yet), and its segment
    // fails to go out (the NAS drops off just then).
    await writeFile(join(b.dir, 'note.md'), 'note v0\n');
    nas.state.segmentsFail = true;
    await b.sync().catch(() => undefined);
    nas.state.segmentsFail = false;
    nas.state.down = true;
    expect((await a.lib.collect({ marginMs: HOUR })).plan.packCollection?.condemn).toHaveLength(4);
    clock.t += 2 * HOUR;
    expect((await a.lib.collect({ marginMs: HOUR })).plan.packCollection?.delete).toHaveLength(4);

    nas.state.down = false;
    // The segment goes out as it was made; the pack it relies on is gone, announced condemned:
    // collected, not lost (no error), and the file's content goes up again in the same sync.
    const packs = keys(remote, 'packs/');
    const back = await b.sync();
    expect(back.errors).toEqual([]);
    expect(back.retryable).toEqual([]);
    expect(keys(remote, 'packs/')).toHaveLength(packs.length + 1);
    const c = await node('c');
    expect((await c.sync()).errors).toEqual([]);
    expect(await readFile(join(c.dir, 'note.md'), 'utf8')).toBe('note v0\n');
    for (const n of [a, b, c]) await n.lib.close();
  });

  it('a segment that went out though its writer never heard so, then pruned and collected elsewhere, is not put back', async () => {
    const { clock, remote, node, a } = await historyOfFive();
    const nas = switchable(remote);
    const b = await node('b', 5, nas.storage);
    await b.sync();
    await writeFile(join(b.dir, 'note.md'), 'b text\n');
    nas.state.segmentAnswersLost = true;
    await b.sync().catch(() => undefined);
    nas.state.segmentAnswersLost = false;
    nas.state.down = true;
    const sent = keys(remote, 'log/b-');
    expect(sent).toHaveLength(1); // on the remote; b's journal still says "not uploaded"

    // a takes b's edit, writes over it, keeps one version: b's is pruned, its segment and pack collected.
    await a.sync();
    clock.t += HOUR;
    await writeFile(join(a.dir, 'note.md'), 'note v6\n');
    await a.sync();
    await a.lib.collect({ marginMs: HOUR }); // the pruning checkpoint, bundling b's segment
    clock.t += 2 * HOUR;
    await a.lib.collect({ marginMs: HOUR }); // segments collected; packs condemned
    clock.t += 2 * HOUR;
    await a.lib.collect({ marginMs: HOUR }); // packs deleted
    expect(keys(remote, 'log/b-')).toEqual([]);
    expect(keys(remote, 'packs/')).toHaveLength(1); // v6's

    nas.state.down = false;
    const back = await b.sync();
    expect(back.errors).toEqual([]);
    // Put back, it would name a pack collected since (simulation seed 8528).
    expect(keys(remote, 'log/b-')).not.toContain(sent[0]);
    expect(await readFile(join(b.dir, 'note.md'), 'utf8')).toBe('note v6\n');
    const c = await node('c');
    expect((await c.sync()).errors).toEqual([]);
    for (const n of [a, b, c]) expect((await n.lib.verify()).problems).toEqual([]);
    for (const n of [a, b, c]) await n.lib.close();
  });

  it.each([
    ['', false],
    [' (the round back looks for lost packs first, and finds the condemned one gone)', true],
  ])('an offline version whose content went with a collected pack, and whose file changed since, is dropped and said; the newer one goes%s', async (_, looksForPacks) => {
    const { clock, remote, node, a } = await historyOfFive();
    const nas = switchable(remote);
    const b = await node('b', 5, nas.storage);
    await b.sync();
    await a.lib.collect({ marginMs: HOUR });
    nas.state.down = true;
    // Captured offline: only known chunks, nothing new staged (deduplicated against a pack b does not know is condemned).
    await writeFile(join(b.dir, 'note.md'), 'note v0\n');
    await b.sync().catch(() => undefined);
    clock.t += 2 * HOUR;
    expect((await a.lib.collect({ marginMs: HOUR })).plan.packCollection?.delete).toHaveLength(4);
    await writeFile(join(b.dir, 'note.md'), 'note v5, written later offline\n');
    nas.state.down = false;
    // As after a rollback or a late segment (simulation seed 3503): the condemned pack is forgotten as collected before the commit.
    if (looksForPacks) (b.lib as unknown as { state: LocalState }).state.round.set('checkPacks', true);
    const back = await b.sync();
    expect(back.errors.join('\n')).toMatch(/1 earlier version\(s\) made here while this machine was away were dropped \(e\.g\. "note\.md"\)/);
    const next = await b.sync(); // dropped for good: not said again, nothing waits
    expect(next.errors).toEqual([]);
    expect(next.retryable).toEqual([]);
    const c = await node('c');
    expect((await c.sync()).errors).toEqual([]);
    expect(await readFile(join(c.dir, 'note.md'), 'utf8')).toBe('note v5, written later offline\n');
    for (const n of [a, b, c]) await n.lib.close();
  });

  it('pruning on the way back judges only published versions: an offline one the rescue then drops took no kept version with it', async () => {
    const { clock, remote, node } = clockedWorld(5);
    const a = await node('a');
    for (let r = 0; r <= 4; r++) {
      clock.t += HOUR;
      await writeFile(join(a.dir, 'note.md'), `note v${r}\n`);
      await a.sync();
    }
    await a.lib.retention({ keepLast: 2 });
    await a.lib.collect({ marginMs: HOUR }); // the pruning checkpoint: v3 and v4 stay
    const nas = switchable(remote);
    const b = await makeNode(nas.storage, 'b', { now: () => clock.t, checkpoints: { every: 1000, readAfter: 1 } });
    await b.sync();
    clock.t += 2 * HOUR;
    expect((await a.lib.collect({ marginMs: HOUR })).plan.packCollection?.condemn).toHaveLength(3); // v0..v2
    nas.state.down = true;
    // Offline: v0's text again (deduplicated into a condemned pack b has not heard of), then an edit on top.
    await writeFile(join(b.dir, 'note.md'), 'note v0\n');
    await b.sync().catch(() => undefined);
    clock.t += 2 * HOUR;
    await writeFile(join(b.dir, 'note.md'), 'note v5, written later offline\n');
    await b.sync().catch(() => undefined);
    expect((await a.lib.collect({ marginMs: HOUR })).plan.packCollection?.delete).toHaveLength(3);
    await writeFile(join(a.dir, 'other.md'), 'other\n');
    await a.sync();
    await a.lib.collect({ marginMs: HOUR }); // a later pruning checkpoint, which b reads on its way back
    nas.state.down = false;
    const back = await b.sync();
    expect(back.errors.join('\n')).toMatch(/1 earlier version\(s\) made here while this machine was away were dropped/);
    // The dropped version's place goes to its parent, v4: kept by "the last 2" beside the new head.
    const notes = b.lib.history('note.md');
    const head = notes.find((h) => h.head)!;
    expect(notes.map((h) => h.hash)).toContain(head.parents[0]);
    for (const n of [a, b]) await n.lib.close();
  });

  it('a version deduplicated into a condemned pack that is still there is copied out of it before it is published', async () => {
    const { clock, remote, node, a } = await historyOfFive();
    const nas = switchable(remote);
    const b = await node('b', 5, nas.storage);
    await b.sync();
    await a.lib.collect({ marginMs: HOUR });
    nas.state.down = true;
    await writeFile(join(b.dir, 'note.md'), 'note v0\n');
    await b.sync().catch(() => undefined);
    nas.state.down = false;
    const packs = keys(remote, 'packs/').length;
    const back = await b.sync();
    expect(back.retryable).toEqual([]);
    expect(keys(remote, 'packs/')).toHaveLength(packs + 1); // the chunk, copied
    clock.t += 2 * HOUR;
    // The copy holds v0's chunk now; the condemned pack is still unneeded by any location of it a
    // kept version relies on alone, and the head survives whatever goes.
    await a.lib.collect({ marginMs: HOUR });
    const c = await node('c');
    expect((await c.sync()).errors).toEqual([]);
    expect(await readFile(join(c.dir, 'note.md'), 'utf8')).toBe('note v0\n');
    for (const n of [a, b, c]) await n.lib.close();
  });

  it('a format-4 repository only counts them; upgraded to 5, it condemns them a margin after the upgrade, and deletes them a margin later', async () => {
    const { clock, remote, node } = clockedWorld(4);
    const a = await node('a');
    for (let r = 0; r <= 4; r++) {
      clock.t += HOUR;
      await writeFile(join(a.dir, 'note.md'), `note v${r}\n`);
      await a.sync();
    }
    await a.lib.retention({ keepLast: 1 });
    await a.lib.collect({ marginMs: HOUR });
    clock.t += 2 * HOUR;
    const counted = await a.lib.collect({ marginMs: HOUR });
    expect(counted.plan.packCollection).toBeUndefined();
    expect(counted.plan.packs).toMatchObject({ count: 4 });

    expect(await a.lib.upgrade()).toMatchObject({ from: 4, to: 7, upgraded: true });
    const held = await a.lib.collect({ marginMs: HOUR });
    expect(held.plan.notices.join('\n')).toMatch(/upgraded to format 7 .* ago; collection starts/);
    expect(held.plan.packCollection).toBeUndefined();
    clock.t += 2 * HOUR;
    expect((await a.lib.collect({ marginMs: HOUR })).plan.packCollection?.condemn).toHaveLength(4);
    clock.t += 2 * HOUR;
    expect((await a.lib.collect({ marginMs: HOUR })).plan.packCollection?.delete).toHaveLength(4);
    expect(keys(remote, 'packs/')).toHaveLength(1);
    await a.lib.close();
  });

  it('a pack no segment ever named (a round cut off before its segment went out) waits a month, not a margin', async () => {
    const { clock, remote, a } = await historyOfFive();
    // What a writer that crashed between its pack and its segment leaves: its segment comes when it syncs again.
    const orphan = new TextEncoder().encode("a pack whose segment is still in its writer's journal");
    const orphanKey = `packs/${createHash('sha256').update(orphan).digest('hex')}`;
    await remote.putIfAbsent(orphanKey, orphan);
    clock.t += 2 * HOUR;
    const plan = (await a.lib.collect({ marginMs: HOUR })).plan.packCollection!;
    expect(plan.condemn).toHaveLength(4); // v0..v3's packs, named and pruned
    expect(plan.condemn.map((o) => o.key)).not.toContain(orphanKey);
    clock.t += 29 * 24 * HOUR;
    expect((await a.lib.collect({ marginMs: HOUR })).plan.packCollection?.condemn.map((o) => o.key)).not.toContain(orphanKey);
    clock.t += 2 * 24 * HOUR;
    expect((await a.lib.collect({ marginMs: HOUR })).plan.packCollection?.condemn.map((o) => o.key)).toEqual([orphanKey]);
    await a.lib.close();
  });
});
