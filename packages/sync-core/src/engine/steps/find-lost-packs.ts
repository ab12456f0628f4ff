/**
 * After a storage rollback: which packs that known chunks live in are gone from the remote. A pack
 * counts as lost only when a listing does not show it and a read of it answers NotFound (the truth
 * is on the storage: an announcement by another node only makes this node look). Locations in
 * lost packs are forgotten; the packs are announced in this node's next segment, so nodes that
 * would not notice look too; and what this node holds of them on disk is uploaded again in this
 * round's scan.
 */
import { listAll, objectExists } from '../../storage/listing.js';
import type { CountingStorage } from '../../storage/wrappers/counting.js';
import type { LocalState } from '../../local/state.js';
import { CondemnedPacks } from '../../local/condemned-packs.js';
import { forgetAlternatesIn } from '../chunk-locations.js';
import { dropLostLocations } from '../lost-locations.js';
import { findDamagedPacks, markPacksLost, verifyOtherLocations, type PackHealthState } from '../pack-health.js';
import type { StepContext } from '../round-context.js';

/** What looking for lost packs reads and writes of the local state. */
export type LostPacksState = PackHealthState & Pick<LocalState, 'packsInUse' | 'chunksIn' | 'hasChunk'>;

/**
 * Returns what a person should be told: as errors, what a storage lost. `away`: this round took
 * segments collected while this node was away, so a pack gone was most likely collected then, its
 * condemnation forgotten everywhere since (§3.12): a notice, not blamed on a rollback (what this
 * node holds of it goes up again all the same; content it no longer holds is reported where it
 * is missed: a version dropped, a file that cannot be written).
 */
export async function findLostPacks(ctx: StepContext<LostPacksState>, away = false): Promise<{ errors: string[]; notices: string[] }> {
  const { state, storage } = ctx;
  const inUse = state.packsInUse();
  // A condemned pack that is gone was collected (§3.12), not lost: what it held no kept version needs.
  const condemned = new CondemnedPacks(state.db).all();
  const missing = await missingPacks(storage, inUse);
  const lost = missing.filter((p) => !condemned.has(p));
  forgetCollected(
    state,
    missing.filter((p) => condemned.has(p)),
  );
  // Packs another node announced that are still there: damaged ones (not matching their name)
  // count as lost too, so the nodes holding their content upload it again.
  const { damaged, pending } = await findDamagedPacks(state, storage, ctx.options.codec, ctx.options.now(), inUse, lost, state.round.get('verifyPacks'));
  const gone = [...lost, ...damaged];
  const held = state.chunksIn(gone);
  state.transaction(() => {
    markPacksLost(state, gone);
    state.round.set('verifyPacks', pending);
    state.round.set('checkPacks', pending.length > 0); // announced packs not judged yet: look again
  });
  const good = await verifyOtherLocations(state, storage, ctx.options.codec, held);
  // What this node holds of the lost packs goes up again unless another location of it was read
  // back whole: a location learned later (this very round's new segments, a hostile writer's
  // into an object that is not the pack its name says) must not stand in for the lost true one
  // unread, or the holder never uploads it again (seed 1211880). Costs an upload, never a loss.
  const doubtful = held.filter((h) => !good.has(h));
  if (doubtful.length > 0) state.round.set('doubtfulChunks', [...new Set([...state.round.get('doubtfulChunks'), ...doubtful])]);
  const errors: string[] = [];
  const notices: string[] = [];
  if (lost.length > 0 && away)
    notices.push(`${lost.length} pack(s) this node had content in are gone from the remote (collected while it was away, or lost); re-uploading what this node still has of them`);
  else if (lost.length > 0) errors.push(`the remote lost ${lost.length} pack(s) (was the storage restored from an older copy?); re-uploading what this node still has of them`);
  if (damaged.length > 0) errors.push(`${damaged.length} pack(s) on the remote are damaged (they do not match their name); re-uploading what this node has of them`);
  return { errors, notices };
}

/**
 * Condemned packs that are gone: their locations are forgotten, and what this node still holds of
 * them on disk goes up again in this round's scan (resupply): nothing kept needed them when they
 * were condemned, but a version made here before this node learned of it may (sent late, or
 * waiting), and it must not be published, or stay, without its content.
 */
export function forgetCollected(state: LostPacksState, packs: string[]): void {
  if (packs.length === 0) return;
  const held = state.chunksIn(packs);
  state.transaction(() => {
    state.forgetPacks(packs);
    dropLostLocations(state.db, packs);
    const orphaned = held.filter((h) => !state.hasChunk(h));
    if (orphaned.length > 0) state.round.set('collectedChunks', [...new Set([...state.round.get('collectedChunks'), ...orphaned])].slice(-100_000));
    forgetAlternatesIn(state, packs);
    state.round.set('resupply', true);
  });
}

/** Packs in use that neither a listing of `packs/` shows nor a read finds. */
async function missingPacks(storage: CountingStorage, inUse: string[]): Promise<string[]> {
  if (inUse.length === 0) return [];
  const listed = new Set((await listAll(storage, 'packs/', { etags: false })).map((o) => o.key));
  const lost: string[] = [];
  for (const pack of inUse) if (!listed.has(pack) && !(await objectExists(storage, pack))) lost.push(pack);
  return lost;
}
