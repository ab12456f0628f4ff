/**
 * After a round (docs/PROTOCOL.md §3.10): in a repository that collects, once `log/` lists enough
 * segments, collect what an old-enough checkpoint holds, so listings and joins stay short with
 * nobody running `gc`. At most once every few hours per node (a collection costs a clock probe and
 * a read of the checkpoint it relies on), and never a failed sync: a refusal (a skewed clock) or an
 * unreachable remote is a notice, and the next due round tries again.
 */
import { isSyncError } from '../../model/sync-error.js';
import { isStorageError } from '../../storage/errors.js';
import { collectLibrary } from '../collection/collect-library.js';
import { collects } from '../repository.js';
import type { RoundContext } from '../round-context.js';

/** Listed segments that make a round collect: twice a checkpoint's worth, so there is something to collect. */
export const DEFAULT_COLLECT_AFTER = 1000;
/** How often a node tries on its own, by its clock. */
const EVERY_MS = 6 * 3_600_000;

/** Returns a line for the round's notices when it collected, or tried and could not. */
export async function collectIfDue(ctx: RoundContext, listedSegments: number): Promise<string | undefined> {
  const { state, storage, options } = ctx;
  if (options.collectAfter <= 0 || listedSegments < options.collectAfter || !collects(state.round.get('format')) || !storage.capabilities.delete) return undefined;
  const now = options.now();
  if (Math.abs(now - state.round.get('collectionTried')) < EVERY_MS) return undefined;
  state.round.set('collectionTried', now);
  try {
    const done = await collectLibrary(state, storage, options, { marginMs: options.collectMarginMs, ...(ctx.signal ? { signal: ctx.signal } : {}) });
    if (done.deleted === 0) return undefined;
    return `collected ${done.plan.segments.length} segment(s) and ${done.plan.checkpoints.length + done.plan.parts.length} checkpoint object(s) a checkpoint holds (${done.bytes} bytes)`;
  } catch (e) {
    if (!isSyncError(e, 'ClockSkew') && !isSyncError(e, 'CannotCollect') && !isStorageError(e)) throw e;
    return `did not collect (${(e as Error).message}); a later sync tries again`;
  }
}
