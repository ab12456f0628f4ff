/**
 * The scan compares each file on disk with its record's stat through RecordedStats, which keeps
 * the stats as numbers in one array and reads a whole record only on demand. It must answer what
 * comparing with the whole record (`sameStat`) answers, and leave exactly the untaken records for
 * the deletions, in the table's order.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RecordedStats } from '../../src/local/recorded-stats.js';
import { IGNORE_CTIME, sameStat } from '../../src/local/scan.js';
import { LocalState, type LocalRecord } from '../../src/local/state.js';
import { cleanup, tempDir } from './helpers.js';

afterEach(cleanup);

/** A small deterministic generator: the same cases on every run. */
function random(seed: number) {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
}

async function stateWith(records: LocalRecord[]): Promise<LocalState> {
  const state = new LocalState(join(await tempDir(), 'state.db'));
  state.transaction(() => records.forEach((r) => state.putLocal(r)));
  return state;
}

const record = (i: number, r: () => number): LocalRecord => ({
  path: `dir ${i % 7}/note ${i}.md`,
  treePath: i % 5 === 0 ? `dir ${i % 7}/note ${i} (conflict).md` : `dir ${i % 7}/note ${i}.md`,
  version: i.toString(16).padStart(64, '0'),
  size: Math.floor(r() * 1e9),
  mtimeMs: 1.7e12 + r() * 1e9, // fractional, as lstat gives them
  ctimeMs: i % 11 === 0 ? IGNORE_CTIME : i % 13 === 0 ? -2 : 1.7e12 + r() * 1e9,
  ino: i % 17 === 0 ? 2 ** 52 + i : Math.floor(r() * 1e7),
});

describe("a scan's recorded stats", () => {
  it('match a stat on disk exactly when the whole record does', async () => {
    const r = random(7);
    const records = Array.from({ length: 400 }, (_, i) => record(i, r));
    const stats = new RecordedStats((await stateWith(records)).db);
    let same = 0;
    for (const rec of records) {
      // The stat on disk: the recorded one, or one field moved (each field, each way).
      const field = Math.floor(r() * 5);
      const actual = { size: rec.size, mtimeMs: rec.mtimeMs, ctimeMs: rec.ctimeMs, ino: rec.ino };
      if (field === 0) actual.size += 1;
      if (field === 1) actual.mtimeMs += 0.001;
      if (field === 2) actual.ctimeMs = r() < 0.5 ? IGNORE_CTIME : actual.ctimeMs + 1;
      if (field === 3) actual.ino -= 1;
      const row = stats.take(rec.path);
      expect(row).toBeGreaterThanOrEqual(0);
      expect(stats.matches(row, actual)).toBe(sameStat(actual, rec));
      if (sameStat(actual, rec)) same++;
    }
    // Both answers occur, so the comparison is tested both ways.
    expect(same).toBeGreaterThan(100);
    expect(same).toBeLessThan(350);
  });

  it('leave the records the scan did not take, in the order of the table, each read whole on demand', async () => {
    const r = random(11);
    const records = Array.from({ length: 50 }, (_, i) => record(i, r));
    const state = await stateWith(records);
    const stats = new RecordedStats(state.db);
    const taken = new Set(records.filter((_, i) => i % 3 !== 0).map((rec) => rec.path));
    for (const path of taken) expect(stats.take(path)).toBeGreaterThanOrEqual(0);
    expect(stats.take(records[1]!.path)).toBe(-1); // taken once only
    expect(stats.take('not/recorded.md')).toBe(-1);
    const left = [...stats.left()];
    expect(left).toEqual([...state.localRecords().keys()].filter((p) => !taken.has(p)));
    expect(left).toHaveLength(17);
    for (const path of left) expect(stats.record(path)).toEqual(state.localRecords().get(path));
    expect(stats.record('not/recorded.md')).toBeUndefined();
  });

  it('hold nothing for a node with no records', async () => {
    const stats = new RecordedStats((await stateWith([])).db);
    expect(stats.take('a.md')).toBe(-1);
    expect([...stats.left()]).toEqual([]);
  });
});
