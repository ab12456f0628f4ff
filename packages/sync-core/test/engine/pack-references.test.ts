/**
 * What packs hold that kept versions need (src/engine/collection/pack-references.ts): `gc` counts
 * the packs no kept version needs, older than the margin, and deletes none. A pack holding a
 * chunk a kept version reuses is needed, whoever's pruned version first brought it; a segment that
 * stays counts as much as the checkpoint; and a pack younger than the margin is not counted.
 */
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup } from './helpers.js';
import { clockedWorld, keys } from './clocked-world.js';

afterEach(cleanup);

const HOUR = 3_600_000;

describe('packs no kept version needs', () => {
  it('are counted by gc, not deleted: a reused chunk keeps its pack, a young pack is not counted', async () => {
    const { clock, remote, node } = clockedWorld(4);
    const a = await node('a');
    // One pack per round: v0..v4 of one note, each in its own pack; then v0's content comes back.
    for (let r = 0; r <= 4; r++) {
      clock.t += HOUR;
      await writeFile(join(a.dir, 'note.md'), `note v${r}\n`);
      await a.sync();
    }
    const packsBefore = keys(remote, 'packs/');
    expect(packsBefore).toHaveLength(5);
    clock.t += HOUR;
    await writeFile(join(a.dir, 'note.md'), 'note v0\n'); // the chunk of v0, in the first pack: no new pack
    await a.sync();
    expect(keys(remote, 'packs/')).toEqual(packsBefore);

    await a.lib.retention({ keepLast: 1 });
    await a.lib.collect({ marginMs: HOUR }); // writes the pruning checkpoint
    clock.t += 2 * HOUR;
    // A new file after it: a segment the checkpoint does not bundle (it stays), and its pack.
    await writeFile(join(a.dir, 'new.md'), 'new\n');
    await a.sync();
    clock.t += 2 * HOUR;
    // A pack no segment names (a writer crashed before its segment), just written.
    const orphan = new TextEncoder().encode('an interrupted upload');
    await remote.putIfAbsent(`packs/${createHash('sha256').update(orphan).digest('hex')}`, orphan);

    const v1to4 = packsBefore.length - 1;
    const dryRun = async () => (await a.lib.collect({ marginMs: HOUR, dryRun: true })).plan;
    const plan = await dryRun();
    expect(plan.checkpoint?.pruned).toBe(true);
    // v1..v4's packs: nothing kept needs them. v0's holds the head's chunk, new.md's its staying
    // segment's; the orphan is younger than the margin.
    expect(plan.packs).toEqual({ count: v1to4, bytes: expect.any(Number) });
    clock.t += 2 * HOUR;
    expect((await dryRun()).packs).toEqual({ count: v1to4 + 1, bytes: expect.any(Number) });
    const done = await a.lib.collect({ marginMs: HOUR });
    expect(done.plan.packs).toMatchObject({ count: v1to4 + 1 });
    expect(keys(remote, 'packs/')).toHaveLength(packsBefore.length + 2); // none deleted
    await a.lib.close();
  });

  it('are not counted while a segment that stays cannot be read', async () => {
    const { clock, remote, node } = clockedWorld(4);
    const a = await node('a');
    await writeFile(join(a.dir, 'note.md'), 'v0\n');
    await a.sync();
    await a.lib.collect({ marginMs: HOUR });
    clock.t += 2 * HOUR;
    await writeFile(join(a.dir, 'note.md'), 'v1\n');
    await a.sync();
    const staying = keys(remote, 'log/').at(-1)!;
    remote.debug.overwrite(staying, new TextEncoder().encode('not a segment'));
    const plan = (await a.lib.collect({ marginMs: HOUR, dryRun: true })).plan;
    expect(plan.packs).toEqual({ unknown: expect.stringContaining(staying) });
    await a.lib.close();
  });
});
