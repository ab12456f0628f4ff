/**
 * A segment of our own writer id that our journal does not know means another copy of this node
 * wrote it: we were restored from an older backup, or cloned. Retire the id (its segments stay
 * valid history), move to a new incarnation, and re-issue what we had not uploaded.
 */
import { randomBytes } from 'node:crypto';
import type { LocalState } from '../../local/state.js';
import type { SegmentKey } from '../segment-format.js';
import type { StepReport } from '../sync-summary.js';

/** What retiring reads and writes of the local state. */
export type RetireState = Pick<LocalState, 'round' | 'transaction' | 'journal' | 'dropJournal'>;

/** `foreign`: segments of this node's writer id that its journal does not know. */
export function retireWriterIfForeign(state: RetireState, foreign: SegmentKey[], report: StepReport): void {
  if (foreign.length === 0) return;
  const writer = state.round.get('writer');
  const next = `${state.round.get('node')}.${randomBytes(4).toString('hex')}`;
  state.transaction(() => {
    for (const entry of state.journal(writer)) if (!entry.uploaded) state.dropJournal(entry.key);
    state.round.set('retired', [...state.round.get('retired'), writer]);
    state.round.set('writer', next);
    state.round.set('seq', 0);
    state.round.set('lastSegment', null);
  });
  report.retired = { writer, next };
  report.notices.push(`this node was restored from an older copy or cloned (the remote holds ${foreign.length} segment(s) of ${writer} it did not write); continuing as ${next}, nothing was lost`);
}
