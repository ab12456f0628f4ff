/**
 * A materialization that left only changes below mount points not there (local/mount-points.ts)
 * is not redone while the same ones are away and nothing changed: it would leave the same
 * changes again, and a round of a library of 100,000 files would merge the whole tree for nothing
 * (a watch rounds at every edit, and a disk may be away for a week). The summary says the same as
 * the round that left them: how many changes wait, and for which mount points.
 */
import type { PathRules } from '../../local/ignore-rules.js';
import { awaitingMountNotice } from '../../local/mount-points.js';
import type { LocalState } from '../../local/state.js';
import { emptyReport, type StepReport } from '../sync-summary.js';

/** The absent mount points of this round's rules, as compared between rounds ('' : none). */
const mountsKey = (rules: PathRules): string => (rules.absentMounts?.length ? JSON.stringify(rules.absentMounts.map((m) => m.path)) : '');

/** What the last round's materialization left waiting, if it still waits for exactly these mount points: its report again. */
export function stillWaiting(state: Pick<LocalState, 'round'>, rules: PathRules): StepReport | undefined {
  const key = mountsKey(rules);
  const stored = state.round.get('waitingForMounts');
  if (key === '' || stored === '') return undefined;
  const { mounts, changes } = JSON.parse(stored) as { mounts: string; changes: number };
  if (mounts !== key) return undefined;
  return { ...emptyReport(), awaitingMount: changes, notices: [awaitingMountNotice(changes, rules.absentMounts!)] };
}

/** Records what a materialization left: `waitsOnlyForMounts` (everything else done), with the report's count of changes waiting. */
export function recordWaiting(state: Pick<LocalState, 'round'>, rules: PathRules, waitsOnlyForMounts: boolean, report: StepReport): void {
  const key = mountsKey(rules);
  state.round.set('waitingForMounts', waitsOnlyForMounts && key !== '' ? JSON.stringify({ mounts: key, changes: report.awaitingMount ?? 0 }) : '');
}
