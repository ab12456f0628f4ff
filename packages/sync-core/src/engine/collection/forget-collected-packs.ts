/**
 * Packs a collector deleted leave the state of every node, not only the collector's
 * (docs/PROTOCOL.md §3.12). The collector forgets the locations in what it deletes
 * (collect-library.ts); another node used to forget them only when it found such a pack gone after
 * a rollback or a failed read (find-lost-packs.ts). A node that never collected so kept, for ever,
 * the location of every chunk in every pack repacked away, and the announcement that condemned
 * it: in long-history.test.ts the node that did not collect grew by 2.6 KB a sync.
 *
 * So a round looks, at most every 6 hours by this node's clock, at the packs it holds locations in
 * that a segment since collected announced condemned (not this node: it forgets its own when it
 * deletes them). Those gone (a listing of `packs/` does not show them and a read answers
 * NotFound) were collected, not lost: their locations are forgotten as find-lost-packs.ts forgets
 * those of a condemned pack found gone, what an unchanged file here holds of them goes up again in
 * this round's scan, and their announcements go (forget-condemnations.ts). One listing and a read
 * per pack not listed, when there is anything to look at.
 */
import { CondemnedPacks } from '../../local/condemned-packs.js';
import { isStorageError } from '../../storage/errors.js';
import { collectsPacks } from '../repository.js';
import type { StepContext } from '../round-context.js';
import { forgetCollected, type LostPacksState } from '../steps/find-lost-packs.js';
import { packGone } from './checkpoint-judgement.js';

/** How often a node looks, by its clock: as often as it may collect on its own (collect-if-due.ts). */
const EVERY_MS = 6 * 3_600_000;

/** Returns how many packs were found gone and forgotten. */
export async function forgetCollectedPacksIfDue(ctx: StepContext<LostPacksState>): Promise<number> {
  const { state, storage, options } = ctx;
  // The simulation's engine that ignores condemnations ignores them here too (round-policy.ts).
  if (!collectsPacks(state.round.get('format')) || !options.policy.honoursCondemnations()) return 0;
  const now = options.now();
  if (Math.abs(now - state.round.get('collectedPacksCheckedAt')) < EVERY_MS) return 0;
  const condemned = new CondemnedPacks(state.db);
  const candidates = condemned.heldCollected();
  if (candidates.length === 0) return 0;
  const gone = packGone(storage);
  const forgotten: string[] = [];
  try {
    for (const pack of candidates) if (await gone(pack)) forgotten.push(pack);
  } catch (e) {
    // Housekeeping: a remote that fails now (unreachable, throttled) fails no sync for it; the next round looks again.
    if (!isStorageError(e)) throw e;
    return 0;
  }
  forgetCollected(state, forgotten);
  state.transaction(() => {
    condemned.forgetGone(forgotten);
    state.round.set('collectedPacksCheckedAt', now);
  });
  return forgotten.length;
}
