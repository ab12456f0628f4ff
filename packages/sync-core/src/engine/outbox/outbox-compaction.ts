/**
 * Frees the outbox of content no version needs (superseded versions dropped, superseded.ts; or a
 * capture cut short by the limit before its versions were recorded). A pack mixes chunks of many
 * files, so a pack is freed whole when none of its chunks is needed, and otherwise rewritten with
 * only the chunks still needed (their stored bytes copied as they are: a pack is the concatenation
 * of its chunks, §3.3), under the name of its new bytes.
 *
 * Crash-safe in this order: the rewritten pack is written (fsynced), then one transaction moves
 * the locations to it, then the old pack is removed. A crash leaves at most a pack no location
 * names, which nothing reads and the next compaction frees. Packs freed whole go first; then, one
 * pack at a time, the part of a pack still needed exists twice for a moment (one pack's worth at
 * most: about 24 MiB by default), and the outbox ends smaller than it was.
 */
import type { LocalState } from '../../local/state.js';
import type { ChunkLocation } from '../../model/chunk-location.js';
import { sha256 } from '../../model/hashing.js';
import { forgetAlternatesIn } from '../chunk-locations.js';
import type { OutboxStorage } from './outbox-storage.js';

/** What compaction reads and writes of the local state. */
export type CompactionState = Pick<LocalState, 'db' | 'addChunk' | 'forgetPacks' | 'transaction'>;

interface PackPlan {
  key: string;
  size: number;
  /** The chunks some version still needs, by offset. */
  keep: { hash: string; offset: number; length: number }[];
  /** Bytes freed by dropping the rest. */
  freed: number;
}

/**
 * Frees what no known version needs in the outbox's packs, except in `spared` ones (the packs the
 * capture under way wrote: their chunks are its versions', not recorded yet). Returns the bytes freed.
 */
export async function compactOutbox(state: CompactionState, outbox: OutboxStorage, spared: ReadonlySet<string>): Promise<number> {
  const needed = neededChunks(state);
  const locationsIn = state.db.prepare('SELECT hash, offset, length FROM chunk_locations WHERE pack = ? ORDER BY offset');
  const plans: PackPlan[] = [];
  for (const pack of outbox.contents().packs) {
    if (spared.has(pack.key)) continue;
    const keep = (locationsIn.all(pack.key) as PackPlan['keep']).filter((c) => needed.has(c.hash));
    const freed = pack.size - keep.reduce((sum, c) => sum + c.length, 0);
    if (freed > 0) plans.push({ key: pack.key, size: pack.size, keep, freed });
  }
  // Whole packs first: they make room for the rewrites.
  plans.sort((a, b) => Number(a.keep.length > 0) - Number(b.keep.length > 0) || b.freed - a.freed);
  let freed = 0;
  for (const plan of plans) {
    if (plan.keep.length > 0) {
      freed += await rewrite(state, outbox, plan);
      continue;
    }
    await free(state, outbox, plan.key, []);
    freed += plan.size;
  }
  return freed;
}

/** Every chunk some known version names (committed or pending, any writer's). */
function neededChunks(state: CompactionState): Set<string> {
  const rows = state.db.prepare("SELECT DISTINCT j.value AS hash FROM versions, json_each(versions.json, '$.chunks') AS j").all() as { hash: string }[];
  return new Set(rows.map((r) => r.hash));
}

/** The pack again with only the chunks still needed, in their order; returns the bytes freed. */
async function rewrite(state: CompactionState, outbox: OutboxStorage, plan: PackPlan): Promise<number> {
  const whole = await outbox.get(plan.key);
  const bytes = Buffer.concat(plan.keep.map((c) => whole.subarray(c.offset, c.offset + c.length)));
  const key = `packs/${sha256(bytes)}`;
  await outbox.putCompacted(key, bytes);
  let at = 0;
  const moved = plan.keep.map((c): ChunkLocation => {
    const location: ChunkLocation = [c.hash, key, at, c.length];
    at += c.length;
    return location;
  });
  await free(state, outbox, plan.key, moved);
  return plan.size - bytes.byteLength;
}

/** Forgets the locations in `pack` (the chunks still needed are at `moved` now), then removes it. */
async function free(state: CompactionState, outbox: OutboxStorage, pack: string, moved: ChunkLocation[]): Promise<void> {
  state.transaction(() => {
    state.forgetPacks([pack]);
    forgetAlternatesIn(state, [pack]);
    for (const location of moved) state.addChunk(location, null); // published by the next segment, as staged ones are
  });
  await outbox.delete(pack);
}
