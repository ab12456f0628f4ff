/**
 * A checkpoint written now, under the retention in force (docs/PROTOCOL.md §3.9, §3.11): what
 * `Library.checkpoint()` and the round's own checkpoint (steps/write-checkpoint.ts) write.
 */
import type { RepositoryCodec } from '../../codec/repository-codec.js';
import type { Storage } from '../../storage/contract.js';
import type { RoundPolicy } from '../round-policy.js';
import { checkpointRetention, retentionInForce } from '../retention/retention-in-force.js';
import { writeCheckpoint, type CheckpointWriteState, type WrittenCheckpoint } from './write.js';

export interface CheckpointNow {
  written?: WrittenCheckpoint;
  /** Why it did not prune though a retention setting exists. */
  notice?: string;
}

export async function writeCheckpointNow(
  state: CheckpointWriteState,
  storage: Storage,
  options: { codec: RepositoryCodec; policy: RoundPolicy; now: () => number },
  signal?: AbortSignal,
): Promise<CheckpointNow> {
  const inForce = await retentionInForce(state, storage, options.codec);
  const written = await writeCheckpoint(state, storage, options.codec, options.policy, signal, checkpointRetention(inForce, options.now()));
  return { ...(written ? { written } : {}), ...(inForce.notice ? { notice: inForce.notice } : {}) };
}
