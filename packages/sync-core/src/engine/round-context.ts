/** What every step of a round is handed: the folder, its state, the remote and the settings. */
import type { Ignore } from 'ignore';
import type { LocalState } from '../local/state.js';
import type { ChunkingParams } from '../model/chunker.js';
import type { CountingStorage } from '../storage/wrappers/counting.js';
import type { BrokenVariant } from './broken-variants.js';
import type { SyncProgress } from './sync-summary.js';

export interface RoundContext {
  dir: string;
  stateDir: string;
  state: LocalState;
  storage: CountingStorage;
  rules: Ignore;
  options: { stableAfterMs: number; settleWaitMs: number; roundLimitMs: number; packSize: number; chunking: ChunkingParams; now: () => number; fetchConcurrency: number; brokenVariant?: BrokenVariant };
  signal?: AbortSignal;
  progress: (p: SyncProgress) => void;
}
