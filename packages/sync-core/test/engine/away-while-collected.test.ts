/**
 * A machine away while a pack it knows is condemned, deleted, and the segment that condemned it
 * collected too: no object on the remote says the pack was condemned any more (checkpoints carry
 * only the announcements of listed segments, PROTOCOL.md §3.12), yet the machine still holds
 * locations in it, and a version it staged offline was deduplicated against them. On its way
 * back it has taken segments collected meanwhile (from a checkpoint): that makes it look for
 * gone packs before it publishes, and upload the content again from the file (sim seed 1121254).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, makeNode } from './helpers.js';
import { clockedWorld, keys } from './clocked-world.js';
import { switchable } from './switchable-storage.js';

afterEach(cleanup);
const HOUR = 3_600_000;

describe('a machine away while a pack it deduplicated against was collected, and its condemnation too', () => {
  it('looks for gone packs on its way back and uploads the content again before it publishes', async () => {
    const { clock, remote, node } = clockedWorld(6);
    const a = await node('a');
    for (let r = 0; r <= 4; r++) {
      clock.t += HOUR;
      await writeFile(join(a.dir, 'note.md'), `note v${r}\n`);
      await a.sync();
    }
    const nas = switchable(remote);
    const b = await makeNode(nas.storage, 'b', { now: () => clock.t, checkpoints: { every: 1000 } });
    await b.sync();
    nas.state.down = true;
    // Offline, b brings v0 back: deduplicated against v0's pack, which b last knew as live.
    await writeFile(join(b.dir, 'note.md'), 'note v0\n');
    await b.sync().catch(() => undefined);

    // Meanwhile a keeps one version, condemns the other packs, deletes them a margin later, and
    // then collects the segments, the condemning one among them.
    await a.lib.retention({ keepLast: 1 });
    await a.lib.collect({ marginMs: HOUR });
    clock.t += 2 * HOUR;
    expect((await a.lib.collect({ marginMs: HOUR })).plan.packCollection?.condemn?.length).toBeGreaterThan(0);
    clock.t += 2 * HOUR;
    expect((await a.lib.collect({ marginMs: HOUR })).plan.packCollection?.delete?.length).toBeGreaterThan(0);
    const condemning = keys(remote, 'log/a-');
    // Then the checkpoints that still carried the condemnation are replaced by later ones, which do not.
    for (let i = 0; i < 6; i++) {
      clock.t += 2 * HOUR;
      await writeFile(join(a.dir, `other-${i}.md`), `other ${i}\n`);
      await a.sync();
      await a.lib.collect({ marginMs: HOUR });
    }
    expect(condemning.filter((k) => keys(remote, 'log/').includes(k))).toEqual([]); // no listed segment says what was condemned

    nas.state.down = false;
    const back = await b.sync();
    expect(back.errors).toEqual([]); // nothing lost: a notice, not an alarm
    expect(back.notices.join('\n')).toMatch(/pack\(s\) this node had content in are gone from the remote \(collected while it was away, or lost\)/);
    // Published with its content: a new machine reads it at once.
    const c = await node('c');
    const joined = await c.sync();
    expect(joined.errors).toEqual([]);
    expect(joined.retryable).toEqual([]);
    expect(await readFile(join(c.dir, 'note.md'), 'utf8')).toBe('note v0\n');
    for (const n of [a, b, c]) expect((await n.lib.verify()).problems).toEqual([]);
    for (const n of [a, b, c]) await n.lib.close();
  });
});
