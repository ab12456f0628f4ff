/**
 * Step 1 of a round, in a repository of format 2 or later (docs/PROTOCOL.md §3.7), once the
 * listing of `log/` showed the remote is still ours: this node says once per writer id that it
 * follows upgrades (`ready/<writer>`), and at least every hour looks for one (`upgrades/`). An
 * upgrade to a format this release knows is followed at once (from this round on, what vanishes
 * may have been collected); one to a format it does not know stops the sync before anything is
 * written, so a node of an older release never works on a repository whose rules it does not know.
 */
import type { LocalState } from '../../local/state.js';
import { isStorageError } from '../../storage/errors.js';
import type { Storage } from '../../storage/contract.js';
import { NEWEST_FORMAT, upgradedFormat } from '../repository.js';
import type { StepContext } from '../round-context.js';
import { encodeReady, readsKey, readyKey } from './upgrade-objects.js';

/** How often a node looks for an upgrade, by its clock: an upgraded repository is collected only a margin (24 hours by default) later. */
const FOLLOW_EVERY_MS = 3_600_000;

export type FollowState = Pick<LocalState, 'round'>;

/**
 * Returns what the round should say (an upgrade followed). `force`: look whatever the hour says (a
 * segment vanished from a format-2 repository: collected, if it was upgraded meanwhile).
 */
export async function followUpgrades(ctx: StepContext<FollowState>, force = false): Promise<string[]> {
  const { state, storage, options } = ctx;
  const format = state.round.get('format');
  if (format === 1) return []; // format 1 objects are another encoding: never upgraded
  const now = options.now();
  const due = force || Math.abs(now - state.round.get('upgradesCheckedAt')) >= FOLLOW_EVERY_MS;
  // Said again when due: a storage rolled back to an older copy may have lost it, and an upgrade
  // would wait for this writer until it went idle for a month.
  await announceReady(state, storage, due);
  if (!due) return [];
  const to = await upgradedFormat(storage, new Set([state.round.get('repo'), ...state.round.get('repoIds')]), format);
  state.round.set('upgradesCheckedAt', now);
  if (to === format) return [];
  state.round.set('format', to);
  return [`the repository was upgraded to format ${to} (its history may now be collected); this node follows it from now on`];
}

/**
 * Says that this node follows upgrades, once per writer id (`again`: whether said before or not,
 * and for the ids it retired too, the newest 20: their segments stay, and an upgrade asks about
 * every writer that has been writing; `exists` costs nothing). A failure is tried again next
 * round: nothing waits on it but an upgrade.
 */
export async function announceReady(state: FollowState, storage: Storage, again = false): Promise<void> {
  const writer = state.round.get('writer');
  if (!writer || (!again && state.round.get('readyAnnounced') === writer)) return;
  const ids = again ? [writer, ...state.round.get('retired').slice(-20)] : [writer];
  try {
    for (const id of ids) {
      await storage.putIfAbsent(readyKey(id), encodeReady(id, NEWEST_FORMAT));
      for (const format of readsToSay(state.round.get('format'))) await storage.putIfAbsent(readsKey(format, id), encodeReady(id, format));
    }
  } catch (e) {
    if (isStorageError(e)) return;
    throw e;
  }
  state.round.set('readyAnnounced', writer);
}

/**
 * The formats a node says it reads (`reads/<format>/`): those an upgrade of this repository could
 * go to, above its format (an upgrade to a format only ever starts below it), and the newest
 * whatever the format (a node that took its repository for newer than it is, after a racing init,
 * still lets an upgrade to it proceed). A repository made as the newest format needs one object,
 * not one per format since 4: on WebDAV a first upload made five requests more for them.
 */
function readsToSay(format: number): number[] {
  const formats: number[] = [];
  for (let f = Math.max(4, Math.min(format + 1, NEWEST_FORMAT)); f <= NEWEST_FORMAT; f++) formats.push(f);
  return formats;
}
