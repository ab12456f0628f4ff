/** What some `Library` methods return, as named types, so each field can say what it means. */
import type { KeyInfo } from '../codec/keyring.js';
import type { RepositoryFormat } from '../model/repository-format.js';
import type { RestoreOutcome } from './restore.js';
import type { SyncSummary } from './sync-summary.js';
import type { VerifyReport } from './verify.js';
import type { WatchTrigger } from './watch.js';

/** `Library.format`. */
export interface LibraryFormat {
  /** The repository format (docs/PROTOCOL.md §3.7): 2 and 3 compress (3 may collect history, §3.10), 1 is the earliest release's. */
  format: RepositoryFormat;
  /** Whether everything on the remote is encrypted (format 2 only). */
  encrypted: boolean;
}

/** One passphrase of an encrypted repository, as `Library.keys()` lists it. */
export interface LibraryKey extends KeyInfo {
  /** The key this node opened the repository with (it cannot be removed from here). */
  current: boolean;
}

/** A running `Library.watch()`. */
export interface RunningWatch {
  /** Settles when the watch stops (its signal fired). */
  done: Promise<void>;
  /** Asks for a round now (what `sync` does while `watch` runs). */
  trigger: WatchTrigger;
}

/** A conflict copy in the tree, as `Library.status()` lists it. */
export interface ConflictCopy {
  /** The copy's path in the library. */
  path: string;
  /** The path it is a conflict copy of. */
  conflictOf: string;
}

/** What `Library.restore()` did. */
export interface LibraryRestoreOutcome extends RestoreOutcome {
  /** In place: the sync that published the restored content (absent into a folder, or in a dry run). */
  sync?: SyncSummary;
}

/** What `Library.verify({ repair: true })` repaired. */
export interface VerifyRepair {
  /** The problems found before repairing. */
  found: VerifyReport['problems'];
  /** The packs given up as lost or damaged, whose content was uploaded again where this node had it. */
  packs: string[];
  /** The sync that uploaded it. */
  sync: SyncSummary;
}

/** A verify that repaired: what it found first, the sync that re-uploaded, and what remains (`problems`). */
export type VerifyOutcome = VerifyReport & {
  /** Present when `repair` was asked and there was something to repair. */
  repair?: VerifyRepair;
};
