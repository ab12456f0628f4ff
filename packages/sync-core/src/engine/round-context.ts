/** What every step of a round is handed: the folder, its state, the remote and the settings. */
import type { ExcludeOption, PathRules } from '../local/ignore-rules.js';
import type { LocalState } from '../local/state.js';
import type { ChunkingParams } from '../model/chunker.js';
import type { CountingStorage } from '../storage/wrappers/counting.js';
import type { RoundPolicy } from './round-policy.js';
import type { RepositoryCodec } from '../codec/repository-codec.js';
import type { SyncProgress } from './sync-summary.js';
import type { Author } from './author-object.js';
import type { DeletionGuard } from './held-deletions.js';
import type { MountPointsOption } from '../local/mount-points.js';

export interface RoundContext {
  dir: string;
  stateDir: string;
  state: LocalState;
  storage: CountingStorage;
  rules: PathRules;
  options: RoundOptions;
  signal?: AbortSignal;
  progress: (p: SyncProgress) => void;
  /** This round publishes deletions however many there are (`sync({ confirmDeletions })`, held-deletions.ts). */
  confirmDeletions?: boolean;
}

export interface RoundOptions {
  stableAfterMs: number;
  settleWaitMs: number;
  roundLimitMs: number;
  packSize: number;
  chunking: ChunkingParams;
  now: () => number;
  fetchConcurrency: number;
  /** How this repository stores segments and chunks (its format, and its key when encrypted). */
  codec: RepositoryCodec;
  /** The decisions where a wrong choice loses data (round-policy.ts): HONEST_POLICY outside the simulation. */
  policy: RoundPolicy;
  /**
   * Checkpoints (docs/PROTOCOL.md §3.9): write one after a round once this many applied segments
   * are not covered by one (0: never), and read one when at least `checkpointReadAfter` listed
   * segments are unknown here (0: never).
   */
  checkpointEvery: number;
  checkpointReadAfter: number;
  /** Collection after a round (steps/collect-if-due.ts): listed segments that start one (0: never), and the margin it keeps. */
  collectAfter: number;
  collectMarginMs: number;
  /** Small packs a collection waits for before it merges them (repack-plan.ts). */
  mergeSmallPacks: number;
  /** Names of collected segments that wait as rows before they go into runs (local/segment-runs.ts). */
  compactSegmentsAfter: number;
  /** How the engine waits outside the retry wrapper (the collection's clock probe; `LibraryOptions.retry.sleep`, else a timer). */
  sleep?: (ms: number) => Promise<void>;
  /** Who writes here, published for this node's writer id (author-object.ts); none: nothing is published. */
  author?: Author;
  /** When a round holds its deletions back (held-deletions.ts); none: never. */
  deletionGuard?: DeletionGuard;
  /** This node's exclude patterns (`LibraryOptions.exclude`); a round's are in its `rules`. */
  exclude?: ExcludeOption;
  /** Folders that are other disks or shares (`LibraryOptions.mountPoints`). */
  mountPoints?: MountPointsOption;
}

/**
 * A step's view of the round: the same context, with only the part of the local state the step
 * reads and writes (each step declares its own `…State`), so what a step can touch is in its signature.
 */
export type StepContext<S> = Omit<RoundContext, 'state'> & { state: S };
