/** The merge is a function of the set of versions: order, duplication and batching do not matter. */
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { buildTree, type Tree } from '../../src/engine/merge.js';
import { withHash, type HashedVersion } from '../../src/model/version.js';

const PATHS = ['a.txt', 'b/c.md', 'd'];
const CONTENTS = [['c1'], ['c2'], ['c3'], []];

/** Random version histories: each new version picks parents among earlier versions of its path. */
const histories = fc
  .array(
    fc.record({
      path: fc.constantFrom(...PATHS),
      parentPicks: fc.array(fc.nat(), { maxLength: 2 }),
      hlc: fc.integer({ min: 0, max: 20 }),
      writer: fc.constantFrom('w1.a', 'w2.b', 'w3.c'),
      content: fc.nat({ max: CONTENTS.length - 1 }),
      deleted: fc.boolean(),
    }),
    { maxLength: 14 },
  )
  .map((steps) => {
    const out: HashedVersion[] = [];
    for (const s of steps) {
      const earlier = out.filter((v) => v.path === s.path);
      const parents = [...new Set(s.parentPicks.filter(() => earlier.length > 0).map((i) => earlier[i % earlier.length]!.hash))];
      out.push(
        withHash({
          path: s.path,
          parents,
          hlc: s.hlc,
          writer: s.writer,
          kind: 'file',
          size: 0,
          mtime: 0,
          chunks: s.deleted ? [] : CONTENTS[s.content]!,
          ...(s.deleted ? { deleted: true as const } : {}),
        }),
      );
    }
    return out;
  });

const shape = (t: Tree) => JSON.stringify([...t.entries()].map(([p, e]) => [p, e.version.hash, e.conflictOf ?? null]).sort());

describe('merge properties', () => {
  test.prop([histories, fc.infiniteStream(fc.nat())])('is independent of order and duplicates (commutative, idempotent)', (vs, rnd) => {
    const shuffled = [...vs, ...vs.slice(0, 3)]
      .map((v) => ({ v, k: rnd.next().value }))
      .sort((a, b) => a.k - b.k)
      .map((x) => x.v);
    expect(shape(buildTree(shuffled))).toBe(shape(buildTree(vs)));
  });

  test.prop([histories, histories, histories])('is associative: merging batches in any grouping gives one tree', (a, b, c) => {
    const left = buildTree([...[...a, ...b], ...c]);
    const right = buildTree([...a, ...[...b, ...c]]);
    const union = buildTree([...c, ...a, ...b]);
    expect(shape(left)).toBe(shape(right));
    expect(shape(union)).toBe(shape(left));
  });

  test.prop([histories])('never loses a live head: every live head is the winner or a conflict copy (or has its content there)', (vs) => {
    const tree = buildTree(vs);
    const named = new Set(vs.flatMap((v) => v.parents));
    const heads = vs.filter((v) => !named.has(v.hash) && !v.deleted);
    const present = new Set([...tree.values()].filter((e) => (e.conflictOf ?? e.path) !== undefined).map((e) => `${e.conflictOf ?? e.path}|${e.version.chunks.join(',')}`));
    for (const h of heads) expect(present.has(`${h.path}|${h.chunks.join(',')}`)).toBe(true);
  });

  test.prop([histories])('a delete only removes what it causally saw (add-wins)', (vs) => {
    const tree = buildTree(vs);
    const named = new Set(vs.flatMap((v) => v.parents));
    for (const path of PATHS) {
      const liveHeads = vs.filter((v) => v.path === path && !named.has(v.hash) && !v.deleted);
      expect(tree.has(path)).toBe(liveHeads.length > 0);
    }
  });
});
