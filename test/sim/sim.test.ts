/** A few hundred seeded schedules across every storage mode (npm test); long campaigns: npm run sim. */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { caseInsensitiveFolder, readIfThere, releaseCaseInsensitiveDisk, saveFile, whyNoCaseInsensitiveDisk } from './case-insensitive-disk.js';
import { runSchedule, type ScheduleOptions } from './schedule.js';
import { MODES } from './storage-modes.js';

const SEEDS_PER_MODE = Number(process.env.SIM_SEEDS_PER_MODE ?? 40);

const replayOf = (o: ScheduleOptions) =>
  `npm run sim -- --seed ${o.seed} --mode ${o.mode} --nodes ${o.nodes}${o.focus ? ` --focus ${o.focus}` : ''}${o.localEdges ? ' --local' : ''}${o.encrypted ? ' --encrypted' : ''}${o.checkpoints ? ' --checkpoints' : ''}${o.offline ? ' --offline' : ''}${o.gc ? ' --gc' : ''}${o.caseInsensitive ? ' --case-insensitive' : ''}${o.brokenVariant ? ` --broken ${o.brokenVariant}` : ''}`;

function expectClean(o: ScheduleOptions, r: Awaited<ReturnType<typeof runSchedule>>): void {
  if (r.ok) return;
  expect.fail(`seed ${o.seed} violated:\n  ${r.violations.join('\n  ')}\nreplay: ${replayOf(o)}\nlast events:\n  ${r.trace.slice(-25).join('\n  ')}`);
}

/** Runs one schedule; a schedule that throws still names its seed and how to replay it. */
async function runSeed(o: ScheduleOptions): Promise<Awaited<ReturnType<typeof runSchedule>>> {
  try {
    return await runSchedule(o);
  } catch (e) {
    throw new Error(`seed ${o.seed} (${o.mode}, ${o.nodes} nodes) threw: ${e instanceof Error ? e.stack : String(e)}\nreplay: ${replayOf(o)}`, { cause: e });
  }
}

describe('simulation: seeded schedules keep every invariant', () => {
  for (const mode of MODES) {
    it(`${mode}: ${SEEDS_PER_MODE} schedules of 2-5 nodes`, async () => {
      for (let seed = 1; seed <= SEEDS_PER_MODE; seed++) {
        const o = { seed, mode, nodes: 2 + (seed % 4) };
        expectClean(o, await runSeed(o));
      }
    }, 600_000);
  }

  it('storage rolled back again and again (rollback-heavy schedules, every mode)', async () => {
    let rollbacks = 0;
    for (let seed = 1; seed <= 36; seed++) {
      const o: ScheduleOptions = { seed, mode: MODES[seed % MODES.length]!, nodes: 2 + (seed % 4), focus: 'rollback' };
      const r = await runSeed(o);
      rollbacks += r.events['storage rollback'] ?? 0;
      expectClean(o, r);
    }
    expect(rollbacks).toBeGreaterThan(30); // the focus really rolls storage back
  }, 600_000);

  it('encrypted, compressed repositories (format 2): the same invariants in every mode', async () => {
    const modes = MODES;
    for (let seed = 1; seed <= 2 * modes.length; seed++) {
      const o: ScheduleOptions = { seed, mode: modes[seed % modes.length]!, nodes: 2 + (seed % 4), encrypted: true };
      expectClean(o, await runSeed(o));
    }
  }, 600_000);

  it('checkpoints written and read throughout (every mode): the same invariants', async () => {
    let written = 0;
    let read = 0;
    for (let seed = 1; seed <= 4 * MODES.length; seed++) {
      const o: ScheduleOptions = { seed, mode: MODES[seed % MODES.length]!, nodes: 2 + (seed % 4), checkpoints: true };
      const r = await runSeed(o);
      written += r.events['wrote checkpoint'] ?? 0;
      read += r.events['caught up'] ?? 0;
      expectClean(o, r);
    }
    // The schedules really write checkpoints and really catch up from them.
    expect(written).toBeGreaterThan(40);
    expect(read).toBeGreaterThan(20);
  }, 600_000);

  it('garbage collection, retention and pack collection (format 7, or 2, 3, 4 or 5 upgraded on the way) among everything else, every mode: the same invariants, every delete justified, every dropped version pruned rightly', async () => {
    let collected = 0;
    let refused = 0;
    let upgraded = 0;
    let pruned = 0;
    let reliedOnPruning = 0;
    for (let seed = 1; seed <= 4 * MODES.length; seed++) {
      const o: ScheduleOptions = { seed, mode: MODES[seed % MODES.length]!, nodes: 2 + (seed % 4), gc: true, encrypted: seed % 3 === 0 };
      const r = await runSeed(o);
      collected += r.events['gc deleted segments'] ?? 0;
      refused += r.events['gc refused (ClockSkew)'] ?? 0;
      upgraded += r.events.upgrade ?? 0;
      pruned += r.events['versions pruned here'] ?? 0;
      reliedOnPruning += r.events['gc relied on a pruning checkpoint'] ?? 0;
      expectClean(o, r);
    }
    // The schedules really collect (and really meet skewed clocks, which must refuse), and really
    // upgrade (every node must then follow: schedule.ts checks it at the end).
    expect(collected).toBeGreaterThan(20);
    expect(refused).toBeGreaterThan(5);
    expect(upgraded).toBeGreaterThan(5);
    // And really prune: nodes drop versions, and collections delete segments on a pruning checkpoint.
    expect(pruned).toBeGreaterThan(5);
    expect(reliedOnPruning).toBeGreaterThan(3);
  }, 600_000);

  it('a checkpoint writer that prunes history on its own cannot make collection lose anything (every mode)', async () => {
    let unfaithful = 0;
    for (let seed = 1; seed <= 2 * MODES.length; seed++) {
      const o: ScheduleOptions = { seed, mode: MODES[seed % MODES.length]!, nodes: 2 + (seed % 4), gc: true, brokenVariant: 'checkpoint-heads-only' };
      const r = await runSeed(o);
      unfaithful += r.events['gc passed over an unfaithful checkpoint'] ?? 0;
      expectClean(o, r);
    }
    expect(unfaithful).toBeGreaterThan(0); // collection really met checkpoints that leave versions out
  }, 600_000);

  it('a checkpoint writer that prunes history on its own is refuted by the nodes reading it (every mode)', async () => {
    let refuted = 0;
    for (let seed = 1; seed <= 4 * MODES.length; seed++) {
      const o: ScheduleOptions = { seed, mode: MODES[seed % MODES.length]!, nodes: 2 + (seed % 4), checkpoints: true, brokenVariant: 'checkpoint-heads-only' };
      const r = await runSeed(o);
      refuted += r.events['ignored checkpoint'] ?? 0;
      expectClean(o, r);
    }
    expect(refuted).toBeGreaterThan(10); // the checks really refuted pruned checkpoints
  }, 600_000);

  it('nodes offline for a while stage their edits and send them when back (every mode): the same invariants', async () => {
    let staged = 0;
    for (let seed = 1; seed <= 4 * MODES.length; seed++) {
      const o: ScheduleOptions = { seed, mode: MODES[seed % MODES.length]!, nodes: 2 + (seed % 4), offline: true };
      const r = await runSeed(o);
      staged += r.events['staged offline'] ?? 0;
      expectClean(o, r);
    }
    // Rounds really failed offline and really staged edits (an outbox never drained fails these
    // schedules: about a quarter of 100 did when the drain was taken out of the round).
    expect(staged).toBeGreaterThan(20);
  }, 600_000);

  it('local file-system edges: folders turned into links, links out of the library, file/folder clashes (every mode)', async () => {
    let links = 0;
    for (let seed = 1; seed <= 88; seed++) {
      const o: ScheduleOptions = { seed, mode: MODES[seed % MODES.length]!, nodes: 2 + (seed % 4), localEdges: true };
      const r = await runSeed(o);
      links += r.events['symbolic link'] ?? 0;
      expectClean(o, r);
    }
    expect(links).toBeGreaterThan(40); // the schedules really make links
  }, 600_000);
});

// A node on a real case-insensitive disk (an exFAT mount) needs root: elsewhere skipped, saying why.
const noDisk = whyNoCaseInsensitiveDisk();
afterAll(releaseCaseInsensitiveDisk);

describe.skipIf(noDisk)(`simulation: a node on a case-insensitive disk (exFAT)${noDisk ? `: skipped, ${noDisk}` : ''}`, () => {
  it('names that differ only in case: one held there and the other reported, both kept on the Linux nodes (every mode)', async () => {
    let clashes = 0;
    let renames = 0;
    for (let seed = 1; seed <= 16; seed++) {
      const o: ScheduleOptions = { seed, mode: MODES[seed % MODES.length]!, nodes: 2 + (seed % 4), caseInsensitive: true, localEdges: seed % 2 === 0, offline: seed % 3 === 0 };
      const r = await runSeed(o);
      clashes += r.events['case clash at the end'] ?? 0;
      renames += r.events['case-only rename'] ?? 0;
      expectClean(o, r);
    }
    // The schedules really end with case clashes, and really rename files changing only case.
    expect(clashes).toBeGreaterThan(16);
    expect(renames).toBeGreaterThan(4);
  }, 600_000);

  it('seed 1326: a file renamed to another spelling of a folder the disk holds was written into it, and scanned back as a rename nobody made', async () => {
    const o: ScheduleOptions = { seed: 1326, mode: 'unknown-outcomes', nodes: 4, localEdges: true, offline: true, caseInsensitive: true };
    expectClean(o, await runSeed(o));
  }, 120_000);

  // Found by the checker wrongly excusing or requiring content (schedule.ts, case-checks.ts): the engine held or reported each path.
  it('seed 2268: content in a pack the storage kept, whose segment a rollback took, is not lost: the exFAT node holds the long name it names', async () => {
    const o: ScheduleOptions = { seed: 2268, mode: 'preconditions-ignored', nodes: 2, localEdges: true, offline: true, caseInsensitive: true };
    expectClean(o, await runSeed(o));
  }, 120_000);

  it('seed 2388: a path under a folder spelled twice whose content was lost on every side is reported, not required on disk', async () => {
    const o: ScheduleOptions = { seed: 2388, mode: 'check-then-write', nodes: 2, localEdges: true, offline: true, caseInsensitive: true };
    expectClean(o, await runSeed(o));
  }, 120_000);

  // Both depend on the kernel's cache of a name looked up in another spelling living about a second
  // (fuse-exfat): packages/sync-core/test/engine/case-insensitive.test.ts holds them without timing.
  // 4019: n1 renamed a.txt to A.txt, then deleted A.txt; n4's a.txt was then taken for a file there.
  it('seeds 1817, 2060 and 4019: a name looked up in another spelling, cached as a file the disk no longer has, kept a write out in silence', async () => {
    for (const o of [
      { seed: 1817, mode: 'preconditions-ignored', nodes: 3 },
      { seed: 2060, mode: 'duplicate-names', nodes: 2 },
      { seed: 4019, mode: 'delayed-listing', nodes: 5 },
    ] as const) {
      const run: ScheduleOptions = { ...o, localEdges: true, offline: true, caseInsensitive: true };
      expectClean(run, await runSeed(run));
    }
  }, 120_000);

  // Timing too (every round within one second of exFAT's whole-second mtimes): it failed about
  // two runs in three without the fix; case-insensitive.test.ts holds it without timing.
  it('seed 3964: a same-size edit, in the same second, of a file a failed round had checked is published, not overwritten by the download', async () => {
    const o: ScheduleOptions = { seed: 3964, mode: 'delayed-listing', nodes: 2, localEdges: true, offline: true, caseInsensitive: true };
    expectClean(o, await runSeed(o));
  }, 120_000);

  // The harness, not the engine: n1's user deleted d/C.txt, then picked d/c.txt (looked up while
  // d/C.txt was there) to rename; a stat found it, the read threw ENOENT, and the schedule died.
  // Timing too, but the rounds always fall within that second: it failed 7 runs of 7 without the fix.
  it("seed 7364: the simulated user does not trip on a name only the kernel's cache still holds", async () => {
    const o: ScheduleOptions = { seed: 7364, mode: 'stale-reads', nodes: 2, localEdges: true, offline: true, caseInsensitive: true };
    expectClean(o, await runSeed(o));
  }, 120_000);

  it("the simulated user meets a name only the kernel's cache holds as a real user does: not there to read, saved when written", () => {
    const dir = caseInsensitiveFolder('stale-name');
    try {
      mkdirSync(join(dir, 'd'));
      writeFileSync(join(dir, 'd', 'C.txt'), 'twin');
      statSync(join(dir, 'd', 'c.txt')); // looked up in the other spelling: the kernel caches it
      rmSync(join(dir, 'd', 'C.txt'));
      expect(statSync(join(dir, 'd', 'c.txt'), { throwIfNoEntry: false })).toBeDefined(); // the cache, for about a second
      expect(readIfThere(join(dir, 'd', 'c.txt'))).toBeUndefined();
      expect(saveFile(join(dir, 'd', 'c.txt'), 'saved')).toBe(true); // a plain open to write fails there
      expect(readdirSync(join(dir, 'd'))).toEqual(['c.txt']);
      expect(readFileSync(join(dir, 'd', 'c.txt'), 'utf8')).toBe('saved');
      expect(saveFile(join(dir, 'd', 'c.txt'), 'again')).toBe(false);
      expect(readIfThere(join(dir, 'd', 'c.txt'))).toBe('again');
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it('seed 3590: content held nowhere any more (its only copy behind a link) is reported, not required, on the case-insensitive disk', async () => {
    const o: ScheduleOptions = { seed: 3590, mode: 'delayed-listing', nodes: 4, localEdges: true, offline: true, caseInsensitive: true };
    expectClean(o, await runSeed(o));
  }, 120_000);

  // The checker: a Mac's name too long for Linux, whose content a rollback then took from every
  // side, is left out of the disks compared; the exFAT node had written it before the loss and
  // held it, so it had nothing to report, yet was required to report it.
  it('seed 33552: a long name whose content was lost after the exFAT node wrote it is held there, not required as reported', async () => {
    const o: ScheduleOptions = { seed: 33552, mode: 'preconditions-ignored', nodes: 2, localEdges: true, offline: true, caseInsensitive: true };
    expectClean(o, await runSeed(o));
  }, 120_000);

  // The engine: while n0 (exFAT) wrote n1's new d/e/f.txt, its user made the folder D/ (saving
  // D/c.txt): the file landed in D/e/ and was recorded as d/e/f.txt, so the next scan published
  // D/e/f.txt as a new file and d/e/f.txt as deleted (write-versions.ts; case-insensitive.test.ts).
  it('seed 44541: a file written into a folder the user just made in another spelling is recorded as the disk spells it', async () => {
    const o: ScheduleOptions = { seed: 44541, mode: 'preconditions-ignored', nodes: 3, localEdges: true, offline: true, caseInsensitive: true };
    expectClean(o, await runSeed(o));
  }, 120_000);

  // The engine: n1 (exFAT) held n0's d/e/f.txt in its D/ (recorded so, as for seed 44541); n1's
  // own D/c.txt then made the tree spell the folder D and d, and n2c's later d/e/f.txt was reported
  // at every round as kept out by the folder D, while the old version stayed in the file
  // (case-twins.ts, recordedSpellings; case-insensitive.test.ts).
  it('seed 83661: a later version of a file held under another spelling of its folder is written there in place', async () => {
    const o: ScheduleOptions = { seed: 83661, mode: 'unknown-outcomes', nodes: 3, localEdges: true, offline: true, caseInsensitive: true };
    expectClean(o, await runSeed(o));
  }, 120_000);

  // The engine: n0 (exFAT) trashed its file d/e, displaced to a conflict copy by the others' folder
  // d/e/, which emptied d/; D/ (D/c.txt) then won the name, the copy was not written, and once a
  // rollback took the pack the content was only in n0's trash (materialize-tree.ts; case-insensitive.test.ts).
  it('seed 11746: a file displaced to a conflict copy keeps the spelling of its folder on the case-insensitive disk', async () => {
    const o: ScheduleOptions = { seed: 11746, mode: 'torn-reads', nodes: 4, localEdges: true, offline: true, caseInsensitive: true };
    expectClean(o, await runSeed(o));
  }, 120_000);

  // The engine: n0 (exFAT) had looked up d/E while its user's file d/e was there; the user deleted
  // d/e, and within that second every round found d/E still a file in fuse-exfat's cache, so
  // d/E/f.txt was never written (safe-paths.ts, onlyInTheCache; case-insensitive.test.ts). Seed
  // 11746's fix had d/ keep its name, which first let d/E/f.txt reach that check.
  it('seed 18488: a folder on the way is made though the kernel still caches its name as a deleted file', async () => {
    const o: ScheduleOptions = { seed: 18488, mode: 'lossy-listing', nodes: 2, localEdges: true, offline: true, caseInsensitive: true };
    expectClean(o, await runSeed(o));
  }, 120_000);

  // The engine: the exFAT node gave the name to the spelling first in code-point order, d/E/f.txt
  // (16747) or d/C.txt (17659), whose content was lost on every side (a rollback took its pack;
  // its author's copy went behind a link, or was overwritten). It could not be written, and kept
  // d/e or d/c.txt, whose content was there, off the disk at every round (materialize-tree.ts,
  // contentHeldNowhere; case-insensitive.test.ts).
  it('seeds 16747, 17659: a spelling whose content is held nowhere does not keep the other off the case-insensitive disk', async () => {
    for (const o of [
      { seed: 16747, mode: 'stale-reads', nodes: 5 },
      { seed: 17659, mode: 'delayed-listing', nodes: 5 },
    ] as const) {
      const run: ScheduleOptions = { ...o, localEdges: true, offline: true, caseInsensitive: true };
      expectClean(run, await runSeed(run));
    }
  }, 120_000);
});

/**
 * Seeds that found engine bugs, kept as regressions. They replay the same events as when found as
 * long as the engine issues the same requests; afterwards they remain ordinary schedules.
 */
const REGRESSIONS: (ScheduleOptions & { bug: string })[] = [
  { seed: 17, mode: 'lossy-listing', nodes: 3, bug: 'a segment naming a repository alias a lossy listing had dropped was marked corrupt for good' },
  { seed: 144, mode: 'atomic', nodes: 2, bug: 'after a rollback, a conflict copy of a node’s own edit was overwritten by the winner before it was written' },
  { seed: 1, mode: 'check-then-write', nodes: 3, bug: 'a location in a lost pack shadowed the re-uploaded one (one location per chunk)' },
  { seed: 1792, mode: 'check-then-write', nodes: 2, bug: 'a segment lost on the remote and by its restored author kept nodes apart forever' },
  { seed: 5435, mode: 'lossy-listing', nodes: 5, bug: 'a crash while looking for lost packs, and announcements acted on a round late, left content missing' },
  { seed: 37, mode: 'delayed-listing', nodes: 3, bug: 'where listings lag, a segment lost on the remote was never republished' },
  { seed: 461, mode: 'preconditions-ignored', nodes: 3, bug: 'a record re-pointed to an unseen version with the same bytes made a delete remove what its node had not seen' },
  { seed: 139, mode: 'delayed-listing', nodes: 5, bug: 'the same, with a lagging listing' },
  { seed: 51652, mode: 'check-then-write', nodes: 2, bug: 'a crash at the segment upload, after remote versions were applied, left them never written to the folder' },
  { seed: 51917, mode: 'stale-reads', nodes: 3, bug: 'the same, on a clone' },
  { seed: 59867, mode: 'lossy-listing', nodes: 5, bug: 'concurrent empty-folder entries of a folder that filled up were retired one per round, by every node: no quiescence' },
  { seed: 202121, mode: 'lossy-listing', nodes: 3, bug: 'a local copy overwrote the file another local copy was about to read (a conflict copy of the node’s own edit, lost on the remote)' },
  { seed: 11272, mode: 'delayed-listing', nodes: 2, bug: 'checker: content lost on every side (storage rolled back, author restored before re-uploading) is excused, the version still required' },
  { seed: 7, mode: 'torn-reads', nodes: 5, bug: 'a chunk re-read torn after its pack proved whole was judged a bogus location: the true location was forgotten' },
  { seed: 2230, mode: 'torn-reads', nodes: 4, bug: 'a pack announced damaged by another node was condemned on one torn read here: its locations forgotten, the edit never written' },
  { seed: 5345, mode: 'hostile-writer', nodes: 3, bug: 'after a rollback took the true pack, a hostile location of the chunk stood in for it: its holder never uploaded it again' },
  { seed: 8561, mode: 'hostile-writer', nodes: 3, bug: 'the same, with the hostile location past the end of a small real pack: a short read was taken for a torn one, never judged' },
  {
    seed: 266,
    mode: 'preconditions-ignored',
    nodes: 4,
    localEdges: true,
    bug: 'a folder entry retired by the others made a node trash the link its user had put there: the files behind it became deletes',
  },
  { seed: 3766, mode: 'delayed-listing', nodes: 4, bug: 'a segment a crash left unsent, sent after a rollback took its pack: its author never looked, the edit was re-supplied too late' },
  { seed: 141640, mode: 'delayed-listing', nodes: 2, bug: 'a rollback between a clone’s pack upload and its segment upload: nobody uploaded the content again in time' },
  {
    seed: 413570,
    mode: 'duplicate-names',
    nodes: 4,
    localEdges: true,
    bug: 'a lost segment came back with a later rollback; the node that had republished it never learned its locations again',
  },
  { seed: 200120, mode: 'lossy-listing', nodes: 2, encrypted: true, bug: 'a joining node missed the encrypted repository in a lossy listing and created its own' },
  { seed: 210966, mode: 'lossy-listing', nodes: 3, encrypted: true, bug: 'three looks at the keyring all missed the key in a lossy listing' },
  { seed: 210295, mode: 'lossy-listing', nodes: 5, encrypted: true, bug: 'eight looks at the keyring all missed the key in a lossy listing' },
  {
    seed: 700697,
    mode: 'lossy-listing',
    nodes: 3,
    localEdges: true,
    checkpoints: true,
    bug: 'a checkpoint left out the packs its segments announced lost: the node that caught up from it never re-uploaded its content',
  },
  {
    seed: 707542,
    mode: 'atomic',
    nodes: 4,
    localEdges: true,
    checkpoints: true,
    bug: 'a pack rebuilt under its old key was credited to the segment that first named it: a node that had forgotten it caught up without it',
  },
  {
    seed: 851322,
    mode: 'hostile-writer',
    nodes: 4,
    localEdges: true,
    checkpoints: true,
    bug: 'a location credited to a lost location-only segment was never published again (no version to commit with it): caught-up nodes never learned it',
  },
  {
    seed: 865435,
    mode: 'hostile-writer',
    nodes: 5,
    localEdges: true,
    checkpoints: true,
    bug: 'a rebuilt pack’s location, credited to a segment a node knew (and had forgotten the location of), was never taught again by a checkpoint',
  },
  {
    seed: 999876,
    mode: 'torn-reads',
    nodes: 2,
    localEdges: true,
    checkpoints: true,
    bug: 'checker: after a rollback took its pack, the user overwrote the only copy of an acknowledged edit before syncing; its content is lost on every side',
  },
  {
    seed: 968536,
    mode: 'lossy-listing',
    nodes: 2,
    localEdges: true,
    checkpoints: true,
    bug: 'checker: a node restored twice from one backup, older than its retirement of a writer id, wrote under it again (a fork, allowed where listings are lossy)',
  },
  {
    seed: 1211780,
    mode: 'torn-reads',
    nodes: 2,
    localEdges: true,
    checkpoints: true,
    offline: true,
    bug: 'checker: a retired writer’s segment lost in a rollback and sent again from the journal (same key, same bytes) was taken for a new one',
  },
  {
    seed: 1211880,
    mode: 'hostile-writer',
    nodes: 2,
    localEdges: true,
    checkpoints: true,
    offline: true,
    bug: 'after a rollback took its pack, a hostile location learned in the same round stood in, unread, for the lost true one: the holder never uploaded the chunk again',
  },
  {
    seed: 1204,
    mode: 'stale-reads',
    nodes: 2,
    localEdges: true,
    offline: true,
    gc: true,
    bug: 'checker: a pack lost to a rollback and found only by a new machine’s failed reads took longer than 8 passes to come back',
  },
  {
    seed: 1466,
    mode: 'duplicate-names',
    nodes: 4,
    localEdges: true,
    offline: true,
    gc: true,
    bug: 'checker: a rollback mid-collection took the checkpoint the collector had read; its deletes then took segments from the restored copy',
  },
  {
    seed: 8528,
    mode: 'duplicate-names',
    nodes: 2,
    localEdges: true,
    offline: true,
    gc: true,
    bug: 'a segment whose upload went through unanswered, then pruned and collected by another node, was put back by its writer, naming a pack collected since',
  },
  {
    seed: 18094,
    mode: 'hostile-writer',
    nodes: 4,
    localEdges: true,
    offline: true,
    gc: true,
    bug: 'a version of d/e/f.txt named a chunk only collected packs held (as 18882; passes since its fix, not diagnosed apart)',
  },
  {
    seed: 30793,
    mode: 'delayed-listing',
    nodes: 3,
    localEdges: true,
    offline: true,
    gc: true,
    bug: 'a pruning checkpoint that pruned nothing was kept (the 18882 rule), and nodes pruned locally by it into different superseded names: two trees differed',
  },
  {
    seed: 26060,
    mode: 'check-then-write',
    nodes: 2,
    localEdges: true,
    offline: true,
    gc: true,
    bug: 'checker: a version a restore lost unpublished, of the same content as an acknowledged edit pruned since, kept that edit from counting as pruned',
  },
  {
    seed: 60647,
    mode: 'delayed-listing',
    nodes: 5,
    localEdges: true,
    offline: true,
    gc: true,
    bug: 'a clone caught up from a checkpoint pruned to "keep the last 1" after a longer policy was set, pruned its own state by it, and dropped a version the setting in force keeps',
  },
  {
    seed: 62314,
    mode: 'hostile-writer',
    nodes: 4,
    localEdges: true,
    offline: true,
    gc: true,
    bug: 'as 60647: a node pruned its own state by a checkpoint of an earlier retention setting',
  },
  {
    seed: 52033,
    mode: 'duplicate-names',
    nodes: 3,
    localEdges: true,
    offline: true,
    gc: true,
    bug: "a checkpoint let a location of its writer's unsent segment ride with another's still on the storage; a revert deduplicated against it, and no stored segment located its chunk",
  },
  {
    seed: 17745,
    mode: 'preconditions-ignored',
    nodes: 3,
    localEdges: true,
    offline: true,
    gc: true,
    bug: 'checker: a version in a segment journaled but never put (its round crashed), then lost with the journal to a restore, kept an acknowledged edit of the same content from counting as pruned',
  },
  {
    seed: 18882,
    mode: 'unknown-outcomes',
    nodes: 4,
    localEdges: true,
    offline: true,
    gc: true,
    bug: 'a checkpoint pruning as of a clock a day behind took the place of the one that pruned a version; its author sent the collected segment again, naming a pack collected since',
  },
  {
    seed: 10094,
    mode: 'rate-limited',
    nodes: 4,
    localEdges: true,
    offline: true,
    gc: true,
    bug: 'checker: a delete whose parent is its own node’s version, pruned by retention from every state since, was taken for a delete of something unseen',
  },
  {
    seed: 11346,
    mode: 'stale-reads',
    nodes: 4,
    localEdges: true,
    offline: true,
    gc: true,
    bug: 'checker: a version pruned under one policy was judged by the policy set after it, which keeps it',
  },
  {
    seed: 20760,
    mode: 'duplicate-names',
    nodes: 2,
    localEdges: true,
    offline: true,
    gc: true,
    bug: 'two checkpoints of one writer id and number (a clone) shared a part; deleting the superseded one took the part of the one kept',
  },
  {
    seed: 37053,
    mode: 'stale-reads',
    nodes: 3,
    localEdges: true,
    offline: true,
    gc: true,
    bug: 'a stale read hid the retention setting: a checkpoint that pruned nothing, relied on once the segments were gone, took the checkpoints naming a pruned edit superseded with it',
  },
  {
    seed: 1101476,
    mode: 'preconditions-ignored',
    nodes: 2,
    localEdges: true,
    offline: true,
    gc: true,
    bug: 'a pack announced lost came back with a second rollback: every node had forgotten its locations, and reported the chunk unlocated for ever',
  },
  {
    seed: 1121254,
    mode: 'preconditions-ignored',
    nodes: 4,
    localEdges: true,
    offline: true,
    gc: true,
    bug: 'back from long away, a node published an offline version deduplicated against a pack collected meanwhile, its condemnation forgotten everywhere',
  },
  {
    seed: 1121607,
    mode: 'duplicate-names',
    nodes: 5,
    localEdges: true,
    offline: true,
    gc: true,
    bug: 'checker: a version sent late after its content was collected, reported lost by its writer as §3.12 allows, was still required',
  },
  {
    seed: 1225594,
    mode: 'rate-limited',
    nodes: 4,
    localEdges: true,
    offline: true,
    bug: 'checker: content counted lost on every side came back (a restore from a backup, then a rename published it): its path was left out of every disk, and the edit reported lost',
  },
];

describe('simulation: seeds that once found bugs', () => {
  for (const { bug, ...o } of REGRESSIONS) {
    it(`seed ${o.seed} (${o.mode}, ${o.nodes} nodes): ${bug}`, async () => expectClean(o, await runSeed(o)), 120_000);
  }
});
