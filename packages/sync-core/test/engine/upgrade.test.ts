/**
 * Upgrading a format-2, 3, 4, 5 or 6 repository to format 7 (docs/PROTOCOL.md §3.7): only once every
 * writer that has been writing reads format 7; every node follows within the hour; collection waits a
 * margin after the upgrade and refuses while a writer of an earlier release writes; an upgrade to a
 * format this release does not know stops a sync before anything is written.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Library } from '@syncacross/sync-core';
import { cleanup, snapshot } from './helpers.js';
import { clockedWorld, edits, historyOf, keys } from './clocked-world.js';

afterEach(cleanup);

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const world = (format: 1 | 2 | 3 | 4 | 5 | 6 | 7 = 2) => clockedWorld(format);
const formatOf = (lib: Library) => lib.format.format;

describe('upgrade', () => {
  it('turns format 2 into 7: every node follows within the hour, collection waits a margin, and nothing is sent out again', async () => {
    const { clock, remote, node } = world(2);
    const a = await node('a');
    const b = await node('b');
    await edits(a, 8, 'a');
    await b.sync();
    await edits(b, 3, 'b');
    await a.sync();
    expect(keys(remote, 'ready/').length).toBe(2); // each node said, at its first sync, that it follows upgrades
    await expect(a.lib.collect({ marginMs: HOUR })).rejects.toMatchObject({ code: 'CannotCollect' });

    const dry = await a.lib.upgrade({ dryRun: true });
    expect(dry).toMatchObject({ from: 2, to: 7, upgraded: false, already: false });
    expect(dry.writers.map((w) => [w.writer, w.ready, w.blocking]).sort()).toEqual([a.lib.writer, b.lib.writer].sort().map((w) => [w, true, false]));
    expect(keys(remote, 'upgrades/')).toEqual([]); // a dry run writes nothing

    const done = await a.lib.upgrade();
    expect(done).toMatchObject({ from: 2, to: 7, upgraded: true });
    expect(keys(remote, 'upgrades/')).toEqual([`upgrades/${a.lib.repository}/7`]);
    expect(formatOf(a.lib)).toBe(7);
    expect((await a.lib.upgrade()).already).toBe(true);

    // B looked less than an hour ago: it has not seen it yet. An hour on, it follows, and says so.
    await b.sync();
    expect(formatOf(b.lib)).toBe(2);
    clock.t += HOUR + 1;
    const followed = await b.sync();
    expect(formatOf(b.lib)).toBe(7);
    expect(followed.notices.join('\n')).toMatch(/upgraded to format 7/);

    // Collection waits a margin after the upgrade, so every node has followed first.
    const early = await a.lib.collect({ marginMs: 2 * HOUR });
    expect(early.deleted).toBe(0);
    expect(early.plan.notices.join('\n')).toMatch(/upgraded to format 7 .* ago; collection starts/);
    clock.t += 2 * HOUR;
    await b.sync();
    const later = await a.lib.collect({ marginMs: 2 * HOUR });
    expect(later.deleted).toBeGreaterThan(10);
    expect(keys(remote, 'log/')).toEqual([]);

    // B takes the collected segments for collected, not lost: nothing goes out again.
    const after = await b.sync();
    expect(after.errors).toEqual([]);
    expect(keys(remote, 'log/')).toEqual([]);

    // A new machine joins as format 7 (the marker still says 2) and gets everything.
    const c = await node('c');
    expect(formatOf(c.lib)).toBe(7);
    expect((await c.sync()).errors).toEqual([]);
    expect(await snapshot(c.dir)).toEqual(await snapshot(a.dir));
    expect(historyOf(c.lib)).toEqual(historyOf(a.lib));
  });

  it('a node that has not looked for an upgrade yet looks at once when history vanishes, and sends nothing out again', async () => {
    const { remote, node } = world(2);
    const a = await node('a');
    const b = await node('b');
    await edits(a, 4, 'a');
    await b.sync();
    await edits(b, 2, 'b');
    await a.sync();
    await a.lib.upgrade();
    // A margin of 0 (a test, or one user): collected at once, before B's hourly look.
    expect((await a.lib.collect({ marginMs: 0 })).deleted).toBeGreaterThan(5);
    expect(formatOf(b.lib)).toBe(2);
    const r = await b.sync();
    expect(formatOf(b.lib)).toBe(7);
    expect(r.errors).toEqual([]);
    expect(keys(remote, 'log/')).toEqual([]); // nothing republished
    expect(await snapshot(b.dir)).toEqual(await snapshot(a.dir));
  });

  it.each([2, 3] as const)('an upgrade from format %i that went missing is written again before a collection, which then waits another margin', async (from) => {
    const { clock, remote, node } = world(from);
    const a = await node('a');
    await edits(a, 3, 'a');
    await a.lib.upgrade();
    const upgrade = `upgrades/${a.lib.repository}/7`;
    clock.t += 2 * HOUR;
    remote.debug.remove(upgrade); // deleted by hand, or restored object by object
    const r = await a.lib.collect({ marginMs: HOUR });
    expect(keys(remote, 'upgrades/')).toEqual([upgrade]);
    expect(r.deleted).toBe(0);
    expect(r.plan.notices.join('\n')).toMatch(/upgraded to format 7 0 minutes ago/);
    expect((await node('late')).lib.format.format).toBe(7);
  });

  it('waits for a writer that does not follow upgrades (an earlier release), until it has been idle 30 days; collection then refuses if it writes again', async () => {
    const { clock, remote, node } = world(2);
    const a = await node('a');
    const b = await node('b');
    await edits(a, 2, 'a');
    await b.sync();
    await edits(b, 2, 'b');
    // B stands for a machine running an earlier release: it never said it follows upgrades or reads format 7.
    remote.debug.remove(`ready/${b.lib.writer}`);
    remote.debug.remove(`reads/7/${b.lib.writer}`);

    const dry = await a.lib.upgrade({ dryRun: true });
    expect(dry.writers.find((w) => w.writer === b.lib.writer)).toMatchObject({ ready: false, blocking: true });
    await expect(a.lib.upgrade()).rejects.toMatchObject({ code: 'CannotUpgrade', message: expect.stringContaining(`the upgrade waits for 1 machine(s) that wrote in the last 30 days`) });
    expect(keys(remote, 'upgrades/')).toEqual([]);

    clock.t += 31 * DAY;
    await a.sync();
    const idle = await a.lib.upgrade();
    expect(idle.upgraded).toBe(true);
    expect(idle.writers.find((w) => w.writer === b.lib.writer)).toMatchObject({ ready: false, blocking: false });

    // The earlier release comes back and writes: collection names it and deletes nothing.
    clock.t += 2 * HOUR;
    await writeFile(join(b.dir, 'old-release.md'), 'written by an earlier release\n');
    await b.sync();
    remote.debug.remove(`ready/${b.lib.writer}`); // (this release says it again each hour; an earlier one never does)
    const logBefore = keys(remote, 'log/');
    await expect(a.lib.collect({ marginMs: HOUR })).rejects.toThrow(
      new RegExp(`since the repository was upgraded to format 7, 1 writer\\(s\\) that do not follow upgrades wrote to it: .*${b.lib.writer.replace('.', '\\.')}`),
    );
    expect(keys(remote, 'log/')).toEqual(logBefore);
  });

  it('an upgrade to a format this release does not know stops every sync and join before anything is written', async () => {
    const { clock, remote, node } = world(3);
    const a = await node('a');
    await edits(a, 2, 'a');
    await remote.putIfAbsent(`upgrades/${a.lib.repository}/8`, new TextEncoder().encode('{}'));
    clock.t += HOUR + 1;
    await writeFile(join(a.dir, 'unsent.md'), 'must not be uploaded\n');
    const before = remote.debug.keys();
    await expect(a.sync()).rejects.toMatchObject({ code: 'NotARepository', message: expect.stringMatching(/upgraded to format 8 by a newer syncacross.*Upgrade syncacross/) });
    expect(remote.debug.keys()).toEqual(before);
    await expect(node('late')).rejects.toMatchObject({ code: 'NotARepository' });
  });

  it('a node says again each hour that it follows upgrades: a storage rolled back may have lost it', async () => {
    const { clock, remote, node } = world(2);
    const a = await node('a');
    await a.sync();
    const ready = `ready/${a.lib.writer}`;
    expect(keys(remote, 'ready/')).toEqual([ready]);
    remote.debug.remove(ready);
    await a.sync();
    expect(keys(remote, 'ready/')).toEqual([]); // not within the hour: a round costs nothing for it
    clock.t += HOUR + 1;
    await a.sync();
    expect(keys(remote, 'ready/')).toEqual([ready]);
  });

  it('turns format 6 into 7 once a writer of the previous release (it reads format 6, not 7) reads it', async () => {
    const { clock, remote, node } = world(6);
    const a = await node('a');
    const b = await node('b');
    await edits(a, 2, 'a');
    await b.sync();
    await edits(b, 2, 'b');
    expect(keys(remote, 'reads/7/').sort()).toEqual([`reads/7/${a.lib.writer}`, `reads/7/${b.lib.writer}`].sort());
    remote.debug.remove(`reads/7/${b.lib.writer}`); // the previous release says only `ready/`
    await expect(a.lib.upgrade()).rejects.toMatchObject({ code: 'CannotUpgrade', message: expect.stringContaining('the upgrade waits for 1 machine(s)') });
    expect(keys(remote, 'upgrades/')).toEqual([]);
    clock.t += HOUR + 1;
    await b.sync(); // B runs this release: at its hourly look it says it reads format 7
    expect((await a.lib.upgrade()).upgraded).toBe(true);
    expect(formatOf(a.lib)).toBe(7);
  });

  it('a node says it reads the formats its repository may be upgraded to, and the newest: nothing more', async () => {
    for (const [format, says] of [
      [7, ['reads/7/']],
      [5, ['reads/6/', 'reads/7/']],
      [2, ['reads/4/', 'reads/5/', 'reads/6/', 'reads/7/']],
    ] as const) {
      const { remote, node } = world(format);
      const a = await node('a');
      await a.sync();
      expect(
        keys(remote, 'reads/').map((k) => k.slice(0, k.lastIndexOf('/') + 1)),
        `format ${format}`,
      ).toEqual(says);
      expect(keys(remote, 'ready/')).toEqual([`ready/${a.lib.writer}`]);
    }
  });

  it('format 1 cannot be upgraded in place', async () => {
    const { node } = world(1);
    const a = await node('a');
    await a.sync();
    await expect(a.lib.upgrade()).rejects.toMatchObject({ code: 'CannotUpgrade', message: expect.stringMatching(/format 1.*cannot be upgraded in place/) });
  });
});
