/**
 * Versions are the objects a sync holds most of: one per new file until a first upload records
 * them, and a no-op's tree of them. Those made alike must share one hidden class (V8's map): on
 * Node 20 an object spread followed by a new property gave each its own, about 480 bytes apiece
 * (model/version.ts, withHash).
 */
import { setFlagsFromString } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { withHash, type Version } from '../../src/model/version.js';

// V8's own test hook, enabled for the functions compiled after this (the flag is read at parse time).
setFlagsFromString('--allow-natives-syntax');
const sameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (a: object, b: object) => boolean;

const version = (i: number): Version => ({
  path: `notes/${i}.md`,
  parents: i % 3 === 0 ? [] : [`${i}`.padStart(64, '0')],
  hlc: 1_764_000_000_000 + i * 1.5,
  writer: 'node-ab12.0123abcd',
  kind: 'file',
  size: i * 10,
  mtime: 1_764_000_000_000 + i,
  chunks: [`${i}`.padStart(64, 'f')],
  ...(i % 5 === 0 ? { exec: true as const } : {}),
});

describe('version objects', () => {
  it('made alike share one hidden class', () => {
    const byKeys = new Map<string, object[]>();
    for (let i = 0; i < 300; i++) {
      const v = withHash(version(i));
      const keys = Object.keys(v).join(',');
      byKeys.set(keys, [...(byKeys.get(keys) ?? []), v]);
    }
    expect(byKeys.size).toBe(2); // with and without `exec`
    for (const [keys, vs] of byKeys) {
      const apart = vs.filter((v) => !sameMap(v, vs[0]!)).length;
      expect(apart, `${keys}: versions with a hidden class of their own`).toBe(0);
    }
  });
});
