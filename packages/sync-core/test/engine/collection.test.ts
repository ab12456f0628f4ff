/**
 * Garbage collection of segments and checkpoints (docs/PROTOCOL.md §3.10): what a checkpoint
 * older than the margin bundles leaves the remote; nodes that applied it take that for
 * collection, not loss (nothing is sent out again); a node that never read it learns it from the
 * checkpoint; and collection refuses where it cannot be safe.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Storage } from '@syncacross/sync-core';
import { cleanup, makeNode, snapshot, type TestNode } from './helpers.js';
import { clockedWorld, edits, historyOf, keys } from './clocked-world.js';

afterEach(cleanup);

const HOUR = 3_600_000;

const world = (format: 1 | 2 | 3 = 3) => clockedWorld(format);

describe('gc', () => {
  it('deletes the segments an old-enough checkpoint bundles; every node keeps everything, a new one learns it', async () => {
    const { clock, remote, node } = world();
    const a = await node('a');
    const b = await node('b');
    await edits(a, 12, 'a');
    await b.sync();
    await edits(b, 5, 'b');
    await a.sync();
    const before = keys(remote, 'log/').length;
    expect(before).toBe(17);

    // The first run writes the checkpoint it will rely on; it is younger than the margin.
    const first = await a.lib.collect({ marginMs: HOUR });
    expect(first.wrote?.covered).toBe(17);
    expect(first.deleted).toBe(0);
    expect(first.plan.notices.join('\n')).toMatch(/younger than the margin/);
    expect(keys(remote, 'log/').length).toBe(before);

    clock.t += 2 * HOUR;
    const dry = await a.lib.collect({ marginMs: HOUR, dryRun: true });
    expect(dry.plan.segments.length).toBe(17);
    expect(keys(remote, 'log/').length).toBe(before); // a dry run deletes nothing

    const done = await a.lib.collect({ marginMs: HOUR });
    expect(done.deleted).toBe(17);
    expect(keys(remote, 'log/')).toEqual([]);
    expect(keys(remote, 'clock/')).toEqual([]); // the clock probe is gone too

    // B had applied them all: collected, not lost: nothing goes out again, no error.
    await writeFile(join(b.dir, 'after.md'), 'after gc\n');
    const bs = await b.sync();
    expect(bs.errors).toEqual([]);
    expect(keys(remote, 'log/').length).toBe(1); // B's new edit only: nothing republished
    expect(bs.requests.get ?? 0).toBeLessThan(10); // the checkpoint told it: no read per vanished segment
    const quiet = await b.sync();
    expect(quiet.totalRequests).toBe(2); // log/, and checkpoints/: log/ changed since the last look there
    const quieter = await b.sync();
    expect(quieter.totalRequests).toBe(1); // log/ alone, whatever the history: nothing changed there
    // A library opened again (a restored or cloned machine is a new process) looks at once, and
    // any library at least hourly all the same.
    await b.lib.close();
    const listed: string[] = [];
    const spied: Storage = { ...remote, list: (prefix, o) => (listed.push(prefix), remote.list(prefix, o)) };
    const b2 = await makeNode(spied, 'b', { dir: b.dir, now: () => clock.t, checkpoints: { every: 1000 } });
    expect((await b2.sync()).totalRequests).toBe(2);
    expect(listed).toEqual(['log/', 'checkpoints/']);
    expect((await b2.sync()).totalRequests).toBe(1);
    clock.t += HOUR + 1;
    listed.length = 0;
    await b2.sync();
    expect(listed).toContain('checkpoints/');
    b.lib = b2.lib;
    await a.sync();

    // A new machine learns everything from the checkpoint and the one segment after it.
    const c = await node('c');
    const cs = await c.sync();
    expect(cs.errors).toEqual([]);
    expect(await snapshot(c.dir)).toEqual(await snapshot(a.dir));
    expect(historyOf(c.lib)).toEqual(historyOf(a.lib));
    expect(historyOf(b.lib)).toEqual(historyOf(a.lib));

    // verify takes collected segments for what they are: no segment missing, no broken chain.
    for (const n of [a, b, c]) expect((await n.lib.verify()).problems).toEqual([]);
  });

  it('a sync collects on its own once enough segments are listed, at most every few hours, and a refusal is only a notice', async () => {
    const { clock, remote } = world();
    const open = (name: string, now: () => number, dir?: string) =>
      makeNode(remote, name, { now, newRepository: { format: 3 }, checkpoints: { every: 1000 }, collection: { after: 8, marginMs: HOUR }, ...(dir ? { dir } : {}) });
    const a = await open('a', () => clock.t);
    await edits(a, 8, 'a'); // each round lists the segments before its own: 7 at most
    expect(keys(remote, 'checkpoints/')).toEqual([]);
    const due = await a.sync(); // 8 listed: tries; writes the checkpoint a later try relies on
    expect(due.errors).toEqual([]);
    expect(keys(remote, 'checkpoints/').length).toBe(1);
    expect(keys(remote, 'log/').length).toBe(8);

    clock.t += 2 * HOUR;
    await edits(a, 2, 'b');
    expect(keys(remote, 'log/').length).toBe(10); // tried 2 hours ago: not again yet
    clock.t += 5 * HOUR;
    const collected = await a.sync();
    expect(collected.notices.join('\n')).toMatch(/collected 8 segment\(s\)/);
    expect(keys(remote, 'log/').length).toBe(2);

    // A clock a day off: the sync still succeeds, and says why it did not collect.
    await a.lib.close();
    const skewed = await open('a', () => clock.t + 24 * HOUR, a.dir);
    await edits(skewed, 8, 'c');
    clock.t += 7 * HOUR;
    const refused = await skewed.sync();
    expect(refused.errors).toEqual([]);
    expect(refused.notices.join('\n')).toMatch(/did not collect \(this machine's clock is 1440 minute\(s\) ahead/);
  });

  it('an older checkpoint the newer one supersedes goes, and so do parts no manifest names', async () => {
    const { clock, remote, node } = world();
    const a = await node('a');
    await edits(a, 6, 'a');
    await a.lib.checkpoint();
    await edits(a, 4, 'b');
    await remote.putIfAbsent('checkpoint-parts/zz.00000000/0000000009/000000-0123456789abcdef', new Uint8Array([1, 2, 3]));
    await a.lib.collect({ marginMs: HOUR }); // writes the second checkpoint
    expect(keys(remote, 'checkpoints/').length).toBe(2);
    clock.t += 2 * HOUR;
    const done = await a.lib.collect({ marginMs: HOUR });
    expect(done.plan.checkpoints.length).toBe(1);
    expect(keys(remote, 'checkpoints/').length).toBe(1);
    expect(keys(remote, 'checkpoint-parts/').length).toBe(1); // the kept checkpoint's one part
    expect(keys(remote, 'log/')).toEqual([]);
    const c = await node('c');
    await c.sync();
    expect(await snapshot(c.dir)).toEqual(await snapshot(a.dir));
  });

  it('relies on no checkpoint that does not read back whole', async () => {
    const { clock, remote, node } = world();
    const a = await node('a');
    await edits(a, 5, 'a');
    await a.lib.collect({ marginMs: HOUR });
    const [part] = keys(remote, 'checkpoint-parts/');
    remote.debug.overwrite(part!, new Uint8Array([9, 9, 9]));
    clock.t += 2 * HOUR;
    const done = await a.lib.collect({ marginMs: HOUR });
    expect(done.deleted).toBe(0);
    expect(done.plan.notices.join('\n')).toMatch(/does not read back whole/);
    expect(keys(remote, 'log/').length).toBe(5);
  });

  it('refuses when this clock and the storage clock disagree by minutes, and changes nothing', async () => {
    const { clock, remote, node } = world();
    const a = await node('a');
    await edits(a, 3, 'a');
    const skewed = await makeSkewed(remote, a, () => clock.t + 20 * 60_000);
    await expect(skewed.lib.collect({ marginMs: 0 })).rejects.toMatchObject({ code: 'ClockSkew', message: expect.stringMatching(/20 minute\(s\) ahead/) });
    expect(keys(remote, 'log/').length).toBe(3);
  });

  it('refuses a repository made before format 3, and a storage that cannot delete', async () => {
    const old = world();
    const a = await old.node('a', 2);
    await edits(a, 2, 'a');
    await expect(a.lib.collect({ marginMs: 0 })).rejects.toMatchObject({ code: 'CannotCollect', message: expect.stringMatching(/format 2/) });

    const { remote, node } = world();
    const noDelete: Storage = { ...remote, name: 'append-only', capabilities: { ...remote.capabilities, delete: false }, putIfAbsent: remote.putIfAbsent, get: remote.get, list: remote.list };
    delete (noDelete as { delete?: unknown }).delete;
    await (await node('seed')).sync();
    const b = await makeNode(noDelete, 'b', { newRepository: { format: 3 } });
    await edits(b, 2, 'b');
    await expect(b.lib.collect({ marginMs: 0 })).rejects.toMatchObject({ code: 'CannotCollect', message: expect.stringMatching(/cannot delete/) });
  });
});

/** The same library reopened with a clock that runs `ahead`. */
async function makeSkewed(remote: Storage, n: TestNode, now: () => number): Promise<TestNode> {
  await n.lib.close();
  return makeNode(remote, 'a', { dir: n.dir, now });
}
