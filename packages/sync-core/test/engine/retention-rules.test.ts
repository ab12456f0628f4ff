/**
 * The rules retention rests on (docs/PROTOCOL.md §3.11), without a library: restic's buckets per
 * path, what a checkpoint prunes (never a head) and names superseded, the merge honouring those
 * names, and the collector's judgement of a pruning it did not do (a head left out is caught).
 */
import { describe, expect, it } from 'vitest';
import { checkRetentionPolicy, keptByPolicy } from '../../src/model/retention.js';
import { withHash, type HashedVersion, type Version } from '../../src/model/version.js';
import { buildTree, hash16, headsByPath } from '../../src/engine/merge.js';
import { pruneVersions } from '../../src/engine/retention/prune.js';
import { prunedRightly } from '../../src/engine/retention/pruned-rightly.js';
import type { WholeCheckpoint } from '../../src/engine/collection/whole-checkpoint.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2026, 0, 5); // a Monday

/** A chain of versions of one path, each replacing the one before. */
function chain(path: string, times: number[]): HashedVersion[] {
  const out: HashedVersion[] = [];
  for (const [i, hlc] of times.entries()) {
    const v: Version = { path, parents: out.length ? [out[out.length - 1]!.hash] : [], hlc, writer: 'w.1', kind: 'file', size: 1, mtime: hlc, chunks: [`${i}`.padStart(64, 'c')] };
    out.push(withHash(v));
  }
  return out;
}

describe('retention policy buckets (restic forget, per path, UTC)', () => {
  const at = (...hours: number[]) => hours.map((h) => ({ hash: `h${h}`, hlc: T0 + h * HOUR }));
  it('keepLast keeps the n newest; keepDaily the newest of each of the n latest days that have one', () => {
    const vs = at(0, 1, 25, 26, 49, 50);
    expect([...keptByPolicy(vs, { keepLast: 2 }, T0 + 100 * HOUR)].sort()).toEqual(['h49', 'h50']);
    expect([...keptByPolicy(vs, { keepDaily: 2 }, T0 + 100 * HOUR)].sort()).toEqual(['h26', 'h50']);
    expect([...keptByPolicy(vs, { keepDaily: 5 }, T0 + 100 * HOUR)].sort()).toEqual(['h1', 'h26', 'h50']);
  });
  it('keepWithinMs keeps everything that close to the checkpoint; buckets add up', () => {
    const vs = at(0, 1, 25, 26, 49, 50);
    expect([...keptByPolicy(vs, { keepWithinMs: 2 * HOUR }, T0 + 51 * HOUR)].sort()).toEqual(['h49', 'h50']);
    expect([...keptByPolicy(vs, { keepLast: 1, keepWeekly: 1 }, T0 + 51 * HOUR)].sort()).toEqual(['h50']);
    // ISO weeks: Sunday 2026-01-11 is still the week of Monday the 5th; Monday the 12th is the next.
    const weeks = [
      { hash: 'sun', hlc: T0 + 6 * DAY + HOUR },
      { hash: 'mon', hlc: T0 + 7 * DAY + HOUR },
    ];
    expect([...keptByPolicy(weeks, { keepWeekly: 2 }, T0 + 8 * DAY)].sort()).toEqual(['mon', 'sun']);
    expect([...keptByPolicy(weeks, { keepMonthly: 2 }, T0 + 8 * DAY)]).toEqual(['mon']);
  });
  it('an empty policy keeps everything; a bad one is refused with the reason', () => {
    expect(keptByPolicy(at(0, 1, 2), {}, T0).size).toBe(3);
    expect(checkRetentionPolicy({ keepLast: -1 })).toMatch(/keepLast must be a whole number/);
    expect(checkRetentionPolicy({ keepForever: 1 })).toMatch(/unknown field/);
    expect(checkRetentionPolicy({ keepLast: 0, keepDaily: 7 })).toEqual({ keepDaily: 7 });
  });
});

describe('pruning and the merge', () => {
  it('never prunes a head (a delete, each side of a conflict), and names what it needs superseded', () => {
    const a = chain('a.txt', [T0, T0 + HOUR, T0 + 2 * HOUR, T0 + 3 * HOUR]);
    const del = withHash({ path: 'gone.txt', parents: [], hlc: T0, writer: 'w.1', deleted: true, kind: 'file', size: 0, mtime: 0, chunks: [] });
    const left = chain('c.txt', [T0]);
    const right = withHash({ ...left[0]!, hlc: T0 + 1, chunks: ['d'.repeat(64)], parents: [] });
    const p = pruneVersions([...a, del, left[0]!, right], new Set(), { keepLast: 1, keepDaily: 1 }, T0 + 10 * DAY);
    const kept = new Set(p.kept.map((v) => v.hash));
    expect(kept.has(a[3]!.hash) && kept.has(del.hash) && kept.has(left[0]!.hash) && kept.has(right.hash)).toBe(true);
    expect(p.pruned.map((v) => v.hash).sort()).toEqual([a[0]!.hash, a[1]!.hash, a[2]!.hash].sort());
    expect(p.superseded.map(([x]) => x).sort()).toEqual(p.pruned.map((v) => hash16(v.hash)).sort());
  });

  it('a kept old version whose descendants were pruned is no head, once named superseded: no stale conflict copy', () => {
    // keepDaily 3: day 0's a0, day 1's newest a2, day 2's a3. a1 goes, and with it the link from a0 to its descendants.
    const a = chain('a.txt', [T0 + HOUR, T0 + DAY + HOUR, T0 + DAY + 2 * HOUR, T0 + 2 * DAY + HOUR]);
    const p = pruneVersions(a, new Set(), { keepDaily: 3 }, T0 + 3 * DAY);
    expect(p.kept.map((v) => v.hash).sort()).toEqual([a[0]!.hash, a[2]!.hash, a[3]!.hash].sort());
    expect(p.pruned.map((v) => v.hash)).toEqual([a[1]!.hash]);
    const names = new Set(p.superseded.map(([x]) => x));
    expect([...names].sort()).toEqual([hash16(a[0]!.hash), hash16(a[1]!.hash)].sort()); // the pruned one, and the kept one nothing kept names
    // Without the names the merge would see a0 as a second head (a conflict copy of old content); with them, one head.
    expect(headsByPath(p.kept).get('a.txt')!.length).toBe(2);
    expect(
      headsByPath(p.kept, names)
        .get('a.txt')!
        .map((v) => v.hash),
    ).toEqual([a[3]!.hash]);
    // A node back holding the pruned a1 as its head takes it for replaced.
    expect([...buildTree([a[1]!, ...p.kept], names).values()].map((e) => e.version.hash)).toEqual([a[3]!.hash]);
    // At a moment before the rest existed, a0 shows (a later version is needed to hide it).
    expect(
      headsByPath([a[0]!], names)
        .get('a.txt')!
        .map((v) => v.hash),
    ).toEqual([a[0]!.hash]);
  });

  it('the collector takes a pruning for right only where the policy allows it and a later version is carried', () => {
    const a = chain('a.txt', [T0, T0 + HOUR, T0 + 2 * HOUR]);
    const whole = (carried: HashedVersion[], superseded: HashedVersion[], policy = { keepLast: 1 }): WholeCheckpoint => ({
      manifest: {
        syncacross: 'checkpoint',
        format: 2,
        repo: 'r'.repeat(32),
        writer: 'w.1',
        cseq: 1,
        covered: 1,
        frontier: {},
        parts: [],
        lostPacks: [],
        retention: { setting: 'retention/x', policy, asOf: T0 + DAY },
      },
      bundled: new Set(),
      versions: new Map(carried.map((v) => [v.hash, v])),
      located: new Set(),
      packsOf: new Map(),
      used: new Set(),
      superseded: new Map(superseded.map((v) => [hash16(v.hash), v.hlc])),
      carriedByPath: new Map([['a.txt', carried.map((v) => ({ hash: v.hash, hlc: v.hlc }))]]),
      condemned: new Set(),
    });
    expect(prunedRightly(whole([a[2]!], [a[0]!, a[1]!]), a[0]!)).toBe(true);
    // The head left out, named superseded, an older version carried: caught (no later version carried).
    expect(prunedRightly(whole([a[0]!], [a[1]!, a[2]!]), a[2]!)).toBe(false);
    // Not named superseded, or kept by the policy: caught.
    expect(prunedRightly(whole([a[2]!], []), a[0]!)).toBe(false);
    expect(prunedRightly(whole([a[2]!], [a[1]!], { keepLast: 2 } as { keepLast: number }), a[1]!)).toBe(false);
  });
});
