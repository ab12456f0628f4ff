/**
 * Repacking (src/engine/collection/repack-plan.ts, repack.ts, docs/PROTOCOL.md §3.12): a pack a
 * kept version still needs, mostly unused or small among many, has its needed chunks copied into
 * a new pack; the segment that condemns it publishes the copies, and it is deleted a margin later
 * once every needed chunk reads back from its new home. A location another segment merely claims
 * is never taken for that home.
 */
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeSegment } from '../../src/engine/segment.js';
import { cleanup } from './helpers.js';
import { clockedWorld, keys } from './clocked-world.js';

afterEach(cleanup);

const HOUR = 3_600_000;
const sha = (s: string) => createHash('sha256').update(s).digest('hex');
/** Text that does not compress away: a pack of it is as large as it looks. */
const noise = (seed: string, bytes: number) =>
  Array.from({ length: Math.ceil(bytes / 64) }, (_, i) => sha(`${seed} ${i}`))
    .join('')
    .slice(0, bytes);

describe('repacking (format 5)', () => {
  it('a pack mostly unused is repacked: its needed chunk is copied, the pack condemned with the copy, and deleted a margin later', async () => {
    const { clock, remote, node } = clockedWorld(5);
    const a = await node('a');
    await writeFile(join(a.dir, 'big.bin'), noise('v0', 200_000));
    await writeFile(join(a.dir, 'keep.md'), 'kept as it is\n');
    await a.sync(); // one pack: big.bin v0 and keep.md
    const first = keys(remote, 'packs/');
    for (const v of ['v1', 'v2']) {
      clock.t += HOUR;
      await writeFile(join(a.dir, 'big.bin'), noise(v, 200_000));
      await a.sync();
    }
    await a.lib.retention({ keepLast: 1 });
    await a.lib.collect({ marginMs: HOUR }); // the pruning checkpoint
    clock.t += 2 * HOUR;

    const condemning = await a.lib.collect({ marginMs: HOUR });
    const packs = condemning.plan.packCollection!;
    expect(packs.condemn).toHaveLength(1); // big.bin v1's pack: nothing needs it
    expect(packs.repack.packs.map((o) => o.key)).toEqual(first); // keep.md alone is needed in it
    expect(packs.repack.chunks.size).toBe(1);
    expect(packs.repack.bytes).toBeLessThan(1_000);
    expect(keys(remote, 'packs/')).toHaveLength(4); // the copy is written before anything goes

    clock.t += 2 * HOUR;
    const deleting = await a.lib.collect({ marginMs: HOUR });
    expect(deleting.plan.packCollection?.delete.map((o) => o.key).sort()).toEqual([...first, ...packs.condemn.map((o) => o.key)].sort());
    expect(deleting.plan.packCollection?.withdrawn).toEqual([]);
    expect(keys(remote, 'packs/')).toHaveLength(2); // big.bin v2's, and the copy

    const c = await node('c');
    expect((await c.sync()).errors).toEqual([]);
    expect(await readFile(join(c.dir, 'keep.md'), 'utf8')).toBe('kept as it is\n');
    expect(await readFile(join(c.dir, 'big.bin'), 'utf8')).toBe(noise('v2', 200_000));
    for (const n of [a, c]) expect((await n.lib.verify({ readData: 100 })).problems).toEqual([]);
    await a.sync(); // the deleted pack is collected, not lost: nothing to say, nothing uploaded again
    expect(keys(remote, 'packs/')).toHaveLength(2);
    for (const n of [a, c]) await n.lib.close();
  });

  it.each(['lost', 'damaged'])('a repacked pack whose copy is %s before the margin is up is kept', async (fault) => {
    const { clock, remote, node } = clockedWorld(5);
    const a = await node('a');
    await writeFile(join(a.dir, 'big.bin'), noise('v0', 200_000));
    await writeFile(join(a.dir, 'keep.md'), 'kept as it is\n');
    await a.sync();
    const [first] = keys(remote, 'packs/');
    clock.t += HOUR;
    await writeFile(join(a.dir, 'big.bin'), noise('v1', 200_000));
    await a.sync();
    await a.lib.retention({ keepLast: 1 });
    await a.lib.collect({ marginMs: HOUR });
    clock.t += 2 * HOUR;
    const before = keys(remote, 'packs/');
    expect((await a.lib.collect({ marginMs: HOUR })).plan.packCollection?.repack.packs.map((o) => o.key)).toEqual([first]);
    const [copy] = keys(remote, 'packs/').filter((k) => !before.includes(k));
    await remote.delete!(copy!); // lost (a rollback, a provider's fault)…
    // …or still listed, its bytes not what was written: only reading it back tells.
    if (fault === 'damaged') await remote.putIfAbsent(copy!, new TextEncoder().encode(noise('not the copy', 2_000)));
    clock.t += 2 * HOUR;
    const due = await a.lib.collect({ marginMs: HOUR });
    expect(due.plan.packCollection?.delete).toEqual([]);
    expect(due.plan.packCollection?.withdrawn).toContain(first);
    expect(keys(remote, 'packs/')).toContain(first);
    const c = await node('c');
    expect((await c.sync()).errors).toEqual([]);
    expect(await readFile(join(c.dir, 'keep.md'), 'utf8')).toBe('kept as it is\n');
    clock.t += 2 * HOUR;
    // Lost, the copy is no home: the pack is repacked again. Damaged, it stays listed as one, and
    // the pack waits (`verify --read-data` finds the damaged copy).
    const next = await a.lib.collect({ marginMs: HOUR });
    expect(next.plan.packCollection?.repack.packs.map((o) => o.key)).toEqual(fault === 'lost' ? [first] : []);
    expect(keys(remote, 'packs/')).toContain(first);
    for (const n of [a, c]) await n.lib.close();
  });

  it('small packs are merged once there are sixteen of them, not before', async () => {
    const { clock, remote, node } = clockedWorld(5);
    const a = await node('a');
    const write = async (from: number, to: number) => {
      for (let i = from; i < to; i++) {
        await writeFile(join(a.dir, `note-${i}.md`), `note ${i}\n`);
        await a.sync(); // a pack each
      }
    };
    await write(0, 15);
    await a.lib.collect({ marginMs: HOUR }); // a checkpoint to rely on
    clock.t += 2 * HOUR;
    const few = await a.lib.collect({ marginMs: HOUR });
    expect(few.plan.packCollection?.repack.packs).toEqual([]);
    expect(keys(remote, 'packs/')).toHaveLength(15);

    await write(15, 17);
    await a.lib.collect({ marginMs: HOUR });
    clock.t += 2 * HOUR;
    const merging = await a.lib.collect({ marginMs: HOUR });
    expect(merging.plan.packCollection?.repack.packs).toHaveLength(17);
    expect(keys(remote, 'packs/')).toHaveLength(18);
    clock.t += 2 * HOUR;
    expect((await a.lib.collect({ marginMs: HOUR })).plan.packCollection?.delete).toHaveLength(17);
    expect(keys(remote, 'packs/')).toHaveLength(1);

    const c = await node('c');
    expect((await c.sync()).errors).toEqual([]);
    for (let i = 0; i < 17; i++) expect(await readFile(join(c.dir, `note-${i}.md`), 'utf8')).toBe(`note ${i}\n`);
    expect((await c.lib.verify({ readData: 100 })).problems).toEqual([]);
    for (const n of [a, c]) await n.lib.close();
  });

  it('a location another segment merely claims does not stand in: the pack that holds the chunk is kept', async () => {
    const { clock, remote, node } = clockedWorld(5);
    const a = await node('a');
    await writeFile(join(a.dir, 'keep.md'), 'kept as it is\n');
    await a.sync();
    const [held] = keys(remote, 'packs/');
    await writeFile(join(a.dir, 'other.md'), 'another note, in another pack\n');
    await a.sync();
    const other = keys(remote, 'packs/').find((k) => k !== held)!;
    // A segment of another writer claims keep.md's chunk sits in the other pack.
    const claim = encodeSegment(
      { format: a.lib.options.codec.format, repo: a.lib.repository, writer: 'zz-liar.00000001', seq: 1, prev: null, versions: [], chunks: [[sha('kept as it is\n'), other, 0, 14]] },
      a.lib.options.codec,
    );
    await remote.putIfAbsent(claim.key, claim.bytes);
    await a.sync();
    await a.lib.collect({ marginMs: HOUR });
    clock.t += 2 * HOUR;
    // The claim would give the chunk a home elsewhere, but it does not read back from there: not condemned.
    const looked = await a.lib.collect({ marginMs: HOUR });
    expect(looked.plan.packCollection?.condemn.map((o) => o.key)).not.toContain(held);
    clock.t += 2 * HOUR;
    const late = await a.lib.collect({ marginMs: HOUR });
    expect(late.plan.packCollection?.condemn.map((o) => o.key)).not.toContain(held);
    expect(late.plan.packCollection?.delete).toEqual([]);
    expect(keys(remote, 'packs/')).toContain(held);
    const c = await node('c');
    await c.sync();
    expect(await readFile(join(c.dir, 'keep.md'), 'utf8')).toBe('kept as it is\n');
    for (const n of [a, c]) await n.lib.close();
  });
});
