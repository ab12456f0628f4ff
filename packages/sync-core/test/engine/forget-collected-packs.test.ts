/**
 * A node that does not collect forgets the packs collectors deleted (forget-collected-packs.ts):
 * the locations it held in a pack that a collected segment announced condemned go once the pack is
 * gone, with the announcement, and not before; it looks at most every 6 hours, and only at packs
 * announced in segments found collected, not at its own announcements.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryStorage } from '@syncacross/sync-core/testing';
import { LocalState } from '../../src/local/state.js';
import { CollectionTable } from '../../src/local/collection-table.js';
import { CondemnedPacks } from '../../src/local/condemned-packs.js';
import { forgetCollectedPacksIfDue } from '../../src/engine/collection/forget-collected-packs.js';
import type { StepContext } from '../../src/engine/round-context.js';
import type { LostPacksState } from '../../src/engine/steps/find-lost-packs.js';
import { HONEST_POLICY } from '../../src/engine/round-policy.js';
import { StorageError } from '../../src/storage/errors.js';
import { cleanup, tempDir } from './helpers.js';

afterEach(cleanup);

const HOUR = 3_600_000;
const pack = (n: number) => `packs/${String(n).repeat(64).slice(0, 64)}`;
const chunk = (n: number) => String(n).repeat(64).slice(0, 64);
const segment = (n: number) => `log/w.00000001/${String(n).padStart(10, '0')}-${'0'.repeat(15)}${n}`;

async function world() {
  const state = new LocalState(join(await tempDir(), 'state.db'));
  state.round.set('format', 5);
  const storage = createMemoryStorage();
  const condemned = new CondemnedPacks(state.db);
  const collected = new CollectionTable(state.db);
  let now = 100 * HOUR;
  const ctx = { state, storage, options: { now: () => now, policy: HONEST_POLICY } } as unknown as StepContext<LostPacksState>;
  const run = (advance = 0) => ((now += advance), forgetCollectedPacksIfDue(ctx));
  return { state, storage, condemned, collected, run };
}

const packsHeld = (state: LocalState) => state.packsInUse().sort();

describe('forgetting the packs collectors deleted', () => {
  it('forgets a gone pack condemned in a collected segment, keeps one still there, one announced in a listed segment, and its own', async () => {
    const { state, storage, condemned, collected, run } = await world();
    state.transaction(() => {
      for (const n of [1, 2, 3, 4]) state.addChunk([chunk(n), pack(n), 0, 10], segment(9));
      condemned.record(segment(1), [pack(1), pack(2)]); // both announced in a segment since collected
      condemned.record(segment(3), [pack(3)]); // announced in a segment still listed
      condemned.record(segment(1), [pack(4)]);
      collected.markCollected(segment(1));
    });
    state.db.prepare('INSERT INTO own_condemnations (pack, announced_at) VALUES (?, 0)').run(pack(4)); // this node's own: it deletes it itself
    await storage.putIfAbsent(pack(2), new Uint8Array(10)); // still there (needed again, or not deleted yet)

    expect(await run()).toBe(1);
    expect(packsHeld(state)).toEqual([pack(2), pack(3), pack(4)].sort());
    expect(condemned.all()).toEqual(new Set([pack(2), pack(3), pack(4)]));
    expect(state.round.get('resupply')).toBe(true); // what an unchanged file holds of it goes up again

    // Pack 2 goes too: not looked at again within 6 hours, then forgotten.
    await storage.delete!(pack(2));
    expect(await run(5 * HOUR)).toBe(0);
    expect(packsHeld(state)).toContain(pack(2));
    expect(await run(2 * HOUR)).toBe(1);
    expect(packsHeld(state)).toEqual([pack(3), pack(4)].sort());
    expect(condemned.all()).toEqual(new Set([pack(3), pack(4)]));
  });

  it('an unreachable remote fails no sync: nothing is forgotten, and the next round looks again', async () => {
    const { state, storage, condemned, collected, run } = await world();
    state.transaction(() => {
      state.addChunk([chunk(1), pack(1), 0, 10], segment(9));
      condemned.record(segment(1), [pack(1)]);
      collected.markCollected(segment(1));
    });
    const list = storage.list.bind(storage);
    storage.list = () => Promise.reject(new StorageError('Unavailable', 'the network is down'));
    expect(await run()).toBe(0);
    expect(packsHeld(state)).toEqual([pack(1)]);
    storage.list = list;
    expect(await run()).toBe(1);
    expect(packsHeld(state)).toEqual([]);
  });

  it('does nothing before format 5', async () => {
    const { state, condemned, collected, run } = await world();
    state.round.set('format', 4);
    state.transaction(() => {
      state.addChunk([chunk(1), pack(1), 0, 10], segment(9));
      condemned.record(segment(1), [pack(1)]);
      collected.markCollected(segment(1));
    });
    expect(await run()).toBe(0);
    expect(packsHeld(state)).toEqual([pack(1)]);
  });
});
