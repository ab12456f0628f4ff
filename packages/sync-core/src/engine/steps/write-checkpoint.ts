/**
 * After a round: write a checkpoint (docs/PROTOCOL.md §3.9) once this node has applied enough
 * segments that no checkpoint covers yet. Each node waits for a slightly different number
 * (from its writer id), so a team that syncs at the same moments does not checkpoint all at once;
 * two checkpoints at once are harmless anyway. A checkpoint that fails to go up is not a failed
 * sync: the segments still serve, and a later round tries again.
 */
import { createHash } from 'node:crypto';
import type { LocalState } from '../../local/state.js';
import { isStorageError } from '../../storage/errors.js';
import { listCheckpoints } from '../checkpoints/read.js';
import { coveredSegments, type CheckpointWriteState } from '../checkpoints/write.js';
import { writeCheckpointNow } from '../checkpoints/write-now.js';
import type { StepContext } from '../round-context.js';
import { rememberOwnCheckpoint } from '../collection/collect-library.js';
import { collects } from '../repository.js';
import { segmentRuns } from '../../local/segment-runs.js';

export type CheckpointStepState = CheckpointWriteState & Pick<LocalState, 'db'>;

/** How many more segments than `every` this writer waits for: up to a quarter more, fixed per writer id. */
function checkpointJitter(writer: string, every: number): number {
  const spread = Math.floor(every / 4);
  return spread === 0 ? 0 : createHash('sha256').update(writer).digest().readUInt32BE(0) % spread;
}

/** Returns a line for the round's notices when a checkpoint was written, or could not be. */
export async function checkpointIfDue(ctx: StepContext<CheckpointStepState>): Promise<string | undefined> {
  const { state, storage, options } = ctx;
  const every = options.checkpointEvery;
  if (every <= 0) return undefined;
  const due = every + checkpointJitter(state.round.get('writer'), every);
  const applied = (state.db.prepare("SELECT COUNT(*) AS n FROM segments WHERE state = 'applied'").get() as { n: number }).n + segmentRuns(state.db).count();
  if (applied - state.round.get('checkpointCovered') < due) return undefined;
  try {
    // Another node may have written one since: its name says how much it covers (a hint: a name
    // that lies only delays checkpoints, and readers verify what they read).
    const best = (await listCheckpoints(storage))[0]?.covered ?? 0;
    if (best > state.round.get('checkpointCovered')) state.round.set('checkpointCovered', best);
    if (coveredSegments(state).keys.length - state.round.get('checkpointCovered') < due) return undefined;
    const { written, notice } = await writeCheckpointNow(state, storage, options, ctx.signal);
    if (written && collects(state.round.get('format'))) rememberOwnCheckpoint(state, written, coveredSegments(state).frontier);
    const pruned = written?.pruned ? `, ${written.pruned} version(s) pruned by the retention policy` : '';
    return [written && `wrote checkpoint ${written.key} (${written.covered} segments in ${written.parts} part(s), ${written.bytes} bytes${pruned})`, notice].filter(Boolean).join('; ') || undefined;
  } catch (e) {
    if (!isStorageError(e)) throw e;
    return `could not write a checkpoint (${(e as Error).message}); a later sync tries again`;
  }
}
