/**
 * A new pack's chunk locations are stored in hash order (LocalState.addPackChunks), the order in
 * which a commit looks them up and marks them published, so that a commit of many new files reads
 * and rewrites the table's pages in runs. The order changes nothing else: the location learned
 * last is still the one given for a chunk stored twice.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalState } from '../../src/local/state.js';
import type { ChunkLocation } from '../../src/model/chunk-location.js';
import { cleanup, tempDir } from './helpers.js';

afterEach(cleanup);

const hash = () => randomBytes(32).toString('hex');

describe("a pack's chunk locations", () => {
  it('are stored in hash order, looked up and published whatever order they are asked in', async () => {
    const state = new LocalState(join(await tempDir(), 'state.db'));
    const pack = `packs/${hash()}`;
    const locations: ChunkLocation[] = Array.from({ length: 3000 }, (_, i) => [hash(), pack, i * 100, 100]);
    state.addPackChunks(locations);
    const byRow = (state.db.prepare('SELECT hash FROM chunk_locations ORDER BY rowid').all() as { hash: string }[]).map((r) => r.hash);
    expect(byRow).toEqual(locations.map((l) => l[0]).sort());

    const asked = locations.slice(0, 1000).map((l) => l[0]);
    const found = state.unpublishedChunks([...asked, asked[0]!]);
    expect(found).toEqual(locations.slice(0, 1000).sort((a, b) => (a[0] < b[0] ? -1 : 1)));
    state.publishChunks(asked, 'log/w.1/0000000001-0123456789abcdef');
    expect(state.unpublishedChunks(asked)).toEqual([]);
    expect(state.allUnpublishedChunks()).toHaveLength(2000);
    state.close();
  });

  it('a chunk stored again in a later pack is found there', async () => {
    const state = new LocalState(join(await tempDir(), 'state.db'));
    const [early, late] = [`packs/${'e'.repeat(64)}`, `packs/${'1'.repeat(64)}`]; // the later pack sorts first
    const again = hash();
    state.addPackChunks([
      [hash(), early, 0, 10],
      [again, early, 10, 10],
    ]);
    state.addPackChunks([
      [again, late, 0, 10],
      [hash(), late, 10, 10],
    ]);
    expect(state.chunk(again)).toEqual([again, late, 0, 10]);
    state.close();
  });
});
