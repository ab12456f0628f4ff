/**
 * Whether a checkpoint was entitled to leave a version out (docs/PROTOCOL.md §3.11): collection
 * deletes a segment only when the checkpoint carries each of its versions or pruned it rightly,
 * and a node takes a vanished segment for collected, not lost, on the same terms. A checkpoint is
 * trusted for nothing here: a writer's bug, or a team member acting in bad faith, must not make a
 * head or a version the policy keeps disappear with its segment. Rightly pruned means all of:
 * - the checkpoint prunes under a policy, and names the version superseded;
 * - it carries a later version of the same path (the head the version led to is always kept);
 * - the policy, applied as of the checkpoint's time to what it carries of the path and this
 *   version, does not keep it. (Leaving out versions pruned alike changes no bucket: each bucket
 *   keeps the newest version of its period, which the checkpoint then carries.)
 */
import { keptByPolicy } from '../../model/retention.js';
import type { HashedVersion } from '../../model/version.js';
import type { WholeCheckpoint } from '../collection/whole-checkpoint.js';
import { hash16 } from '../merge.js';

export function prunedRightly(whole: WholeCheckpoint, v: Pick<HashedVersion, 'hash' | 'path' | 'hlc'>): boolean {
  const retention = whole.manifest.retention;
  if (!retention || !whole.superseded.has(hash16(v.hash))) return false;
  const carried = whole.carriedByPath.get(v.path) ?? [];
  if (!carried.some((c) => c.hlc > v.hlc)) return false;
  return !keptByPolicy([...carried, v], retention.policy, retention.asOf).has(v.hash);
}
