/**
 * The names of segments applied and found collected go into runs (local/segment-runs.ts): 8 bytes
 * a segment instead of two rows. Everything that reads them sees what the rows said, and a change
 * to one makes its run rows again. A segment something else names stays a row.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { LocalState } from '../../src/local/state.js';
import { CollectionTable } from '../../src/local/collection-table.js';
import { CondemnedPacks } from '../../src/local/condemned-packs.js';
import { COMPACT_AFTER, segmentRuns } from '../../src/local/segment-runs.js';
import { coveredSegments } from '../../src/engine/checkpoints/write.js';
import { cleanup, tempDir } from './helpers.js';

afterEach(cleanup);

const hash16 = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 16);
const keyOf = (writer: string, seq: number, salt = '') => `log/${writer}/${String(seq).padStart(10, '0')}-${hash16(`${writer}${seq}${salt}`)}`;

async function stateWith(writers: Record<string, number>): Promise<{ state: LocalState; table: CollectionTable; keys: string[] }> {
  const state = new LocalState(join(await tempDir(), 'state.db'));
  const table = new CollectionTable(state.db);
  const keys: string[] = [];
  state.transaction(() => {
    for (const [writer, n] of Object.entries(writers))
      for (let seq = 1; seq <= n; seq++) {
        const key = keyOf(writer, seq);
        state.recordSegment(key, writer, seq, 'applied');
        table.markCollected(key);
        keys.push(key);
      }
  });
  return { state, table, keys };
}

const rows = (state: LocalState, table: string) => (state.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
/** What readers see of the segments, whatever keeps them. */
const seen = (state: LocalState, table: CollectionTable, keys: string[]) => ({
  known: [...state.knownSegments()].sort(),
  states: keys.map((k) => state.segmentState(k)),
  collected: [...table.collected()].sort(),
  each: keys.map((k) => table.isCollected(k)),
  covered: coveredSegments(state),
});

describe('segment runs', () => {
  it('keep applied, collected segments in one row a writer run, and read as the rows did', async () => {
    const { state, table, keys } = await stateWith({ 'a.00000001': 100, 'b.00000002': 40 });
    const before = seen(state, table, keys);
    expect(state.transaction(() => segmentRuns(state.db).compact())).toBe(140);
    expect(rows(state, 'segments')).toBe(0);
    expect(rows(state, 'collected_segments')).toBe(0);
    expect(rows(state, 'segment_runs')).toBe(2);
    expect(seen(state, table, keys)).toEqual(before);
    expect(before.covered.frontier).toEqual({ 'a.00000001': 100, 'b.00000002': 40 });
    // A key at a number a run holds, with another hash, is not in it.
    expect(state.segmentState(keyOf('a.00000001', 7, 'fork'))).toBeUndefined();
    expect(table.isCollected(keyOf('a.00000001', 7, 'fork'))).toBe(false);
  });

  it('wait for enough candidates, and leave out what the journal, a condemnation or a fork names', async () => {
    const few = await stateWith({ 'a.00000001': COMPACT_AFTER - 1 });
    expect(segmentRuns(few.state.db).compact()).toBe(0);
    expect(rows(few.state, 'segments')).toBe(COMPACT_AFTER - 1);

    const { state, table, keys } = await stateWith({ 'a.00000001': 60 });
    state.addJournal('a.00000001', 10, keys[9]!, new Uint8Array([1]));
    new CondemnedPacks(state.db).record(keys[19]!, ['packs/x']);
    const fork = keyOf('a.00000001', 30, 'fork');
    state.recordSegment(fork, 'a.00000001', 30, 'applied');
    table.markCollected(fork);
    const uncollected = keyOf('c.00000003', 1);
    state.recordSegment(uncollected, 'c.00000003', 1, 'applied');
    const before = seen(state, table, [...keys, fork, uncollected]);
    state.transaction(() => segmentRuns(state.db).compact());
    const left = (state.db.prepare('SELECT key FROM segments ORDER BY key').all() as { key: string }[]).map((r) => r.key);
    expect(left).toEqual([keys[9], keys[19], keys[29], fork, uncollected].sort());
    // Runs 1-9, 11-19, 21-29, 31-60.
    expect(rows(state, 'segment_runs')).toBe(4);
    expect(seen(state, table, [...keys, fork, uncollected])).toEqual(before);
  });

  it('become rows again before a segment in one changes', async () => {
    const { state, table, keys } = await stateWith({ 'a.00000001': 40, 'b.00000002': 40 });
    state.transaction(() => segmentRuns(state.db).compact());
    state.republishSegment(keys[5]!);
    expect(state.segmentState(keys[5]!)).toBe('republished');
    expect(state.segmentsIn('republished')).toEqual([keys[5]]);
    // The rest of that run reads as before, from rows now; the other run is untouched.
    expect(state.segmentState(keys[6]!)).toBe('applied');
    expect(table.isCollected(keys[6]!)).toBe(true);
    expect(rows(state, 'segment_runs')).toBe(1);
    state.recordSegment(keys[45]!, 'b.00000002', 6, 'corrupt');
    expect(state.segmentState(keys[45]!)).toBe('corrupt');
    expect(rows(state, 'segment_runs')).toBe(0);
    expect(state.knownSegments().size).toBe(80);
  });

  it('grow by appending to the run before them', async () => {
    const { state, table, keys } = await stateWith({ 'a.00000001': 40 });
    state.transaction(() => segmentRuns(state.db).compact());
    const more: string[] = [];
    state.transaction(() => {
      for (let seq = 41; seq <= 80; seq++) {
        more.push(keyOf('a.00000001', seq));
        state.recordSegment(more.at(-1)!, 'a.00000001', seq, 'applied');
        table.markCollected(more.at(-1)!);
      }
    });
    state.transaction(() => segmentRuns(state.db).compact());
    expect(rows(state, 'segment_runs')).toBe(1);
    expect(segmentRuns(state.db).count()).toBe(80);
    expect(coveredSegments(state).keys).toEqual([...keys, ...more].sort());
  });
});
