/**
 * The retention a checkpoint written now applies (docs/PROTOCOL.md §3.11): in a format-4
 * repository, the policy in force, as of this machine's time. Reading it costs a listing of
 * `retention/` and one small read, once per checkpoint (rare).
 */
import type { RepositoryCodec } from '../../codec/repository-codec.js';
import type { LocalState } from '../../local/state.js';
import { SupersededTable } from '../../local/superseded-table.js';
import { keepsEverything } from '../../model/retention.js';
import type { Storage } from '../../storage/contract.js';
import { prunes } from '../repository.js';
import { readPolicy, type CheckpointRetention, type PolicySetting } from './policy-object.js';

/** How long pruning by the same policy stays current: after it, a collection checkpoints again so `keepWithin` and the buckets move on. */
const REPRUNE_AFTER_MS = 86_400_000;

export interface RetentionInForce {
  /** The setting in force, if the repository prunes and one is set (a policy that keeps everything counts as none). */
  setting?: PolicySetting;
  /** Why nothing is pruned though a setting exists (it cannot be read). */
  notice?: string;
}

export async function retentionInForce(state: Pick<LocalState, 'round'>, storage: Storage, codec: RepositoryCodec): Promise<RetentionInForce> {
  if (!prunes(state.round.get('format'))) return {};
  const read = await readPolicy(storage, codec, new Set([state.round.get('repo'), ...state.round.get('repoIds')]));
  if (read.unreadable) return { notice: read.unreadable };
  return read.setting && !keepsEverything(read.setting.policy) ? { setting: read.setting } : {};
}

/** The retention for a checkpoint written now, if any. */
export const checkpointRetention = (inForce: RetentionInForce, now: number): CheckpointRetention | undefined => (inForce.setting ? { setting: inForce.setting, asOf: now } : undefined);

/** Whether this node has not pruned by this setting yet, or not for a day: a collection then writes a checkpoint though no segment is new. */
export function dueForPruning(state: Pick<LocalState, 'db'>, inForce: RetentionInForce, now: number): boolean {
  if (!inForce.setting) return false;
  const last = new SupersededTable(state.db).lastApplied();
  return !last || last.setting !== inForce.setting.key || now - last.asOf >= REPRUNE_AFTER_MS;
}
