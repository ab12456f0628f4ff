/** What opening a library takes (openLibrary): the folder, the remote, and how rounds behave. */
import type { Storage } from '../storage/contract.js';
import type { RetryOptions } from '../storage/wrappers/retry.js';
import type { ChunkingParams } from '../model/chunker.js';
import type { NewRepository } from './repository.js';
import type { Author } from './author-object.js';
import type { ExcludeOption } from '../local/ignore-rules.js';
import type { MountPointsOption } from '../local/mount-points.js';

/** What `openLibrary` takes: only `dir` and `storage` are required. */
export interface LibraryOptions {
  /** The library folder: the files to sync. */
  dir: string;
  /** The remote: an adapter's storage (e.g. `createFsStorage`); the library wraps it (`checkedStorage`, `withRetry`, `withCounting`) and closes it on `close()`. */
  storage: Storage;
  /** Where the state database lives; default `<dir>/.syncacross`. Put it elsewhere for a library on a network share. */
  stateDir?: string;
  /** A name for this machine, part of its writer id (default: the host name). */
  nodeName?: string;
  /**
   * Who writes from this library, published once per writer id so `history()` on every node can
   * name the person and machine behind each version (sealed in an encrypted repository). A
   * changed name applies from this node's next segment on. None: versions show only the writer id.
   */
  author?: Author;
  /** Create or join the repository when the library has no state yet (default true). */
  create?: boolean;
  /**
   * Only read the state (status, history): no lock, so it works while another process syncs;
   * `sync()` is refused. Implies `create: false`.
   */
  readOnly?: boolean;
  /** How long to wait for another process that owns the library (default 2 s). */
  lockWaitMs?: number;
  /**
   * A file modified more recently than this may be being written: the round waits for it to stop
   * changing (default 2 s). Live SQLite databases are taken at once, through their backup API.
   */
  stableAfterMs?: number;
  /** How long a round waits at most for such files (default 3 s); one still changing is reported in `skipped`. */
  settleWaitMs?: number;
  /** A round that took longer than this re-reads the remote before committing (default 10 min). */
  roundLimitMs?: number;
  /** The size a pack fills to before it is uploaded, in bytes (default 24 MiB): larger means fewer requests, more memory. */
  packSize?: number;
  /** The content-defined chunker's sizes (default 256 KiB / 1 MiB / 4 MiB); keep them the same on every node, or content is not deduplicated. */
  chunking?: ChunkingParams;
  /** How transient storage failures are retried (`withRetry`'s defaults: 8 retries from 200 ms, at most 60 s apart); `false`: not at all. */
  retry?: RetryOptions | false;
  /** The clock, ms since the epoch (default `Date.now`): versions' times, `lastSync`, round limits, point-in-time spans. Tests and the simulation pass their own. */
  now?: () => number;
  /**
   * Checkpoints (docs/PROTOCOL.md §3.9): a sync writes one every `every` segments (default 500);
   * a node with `readAfter` unknown segments (default 64) starts from the largest. `false`: neither.
   */
  checkpoints?:
    | {
        /** Write a checkpoint once this node has applied about this many segments more than the largest checkpoint covers (default 500; up to a quarter more, by writer id, so nodes do not all write at once). */
        every?: number;
        /** A node that finds at least this many segments it has not applied starts from the largest checkpoint (default 64). */
        readAfter?: number;
      }
    | false;
  /**
   * Collection after a round (docs/PROTOCOL.md §3.10, format 3 only): when `log/` lists at least
   * `after` segments (default 1000), at most once every 6 hours, the round collects what a
   * checkpoint older than `marginMs` (default 24 h) holds. Its failure is a notice, never a failed
   * sync. `false`: only `collect()` does.
   */
  collection?:
    | {
        /** Listed segments that make a round collect (default 1000). */
        after?: number;
        /** How old a checkpoint must be, on the storage's clock (default 24 h). */
        marginMs?: number;
        /** Format 5 (§3.12): how many small packs (under an eighth of the pack size) a collection waits for before it merges them (default 16). */
        mergeSmallPacks?: number;
        /** How many names of segments found collected wait as rows before they are kept compactly (local/segment-runs.ts; default 32); with `false` too. */
        compactSegmentsAfter?: number;
      }
    | false;
  /**
   * The durable outbox (outbox/): when a sync finds the remote unreachable (offline, asleep,
   * throttled past all retries), what changed here is taken all the same: its new content staged
   * in `<stateDir>/outbox/`, its version recorded as pending, so a later edit or delete cannot
   * lose it; the next sync that reaches the remote uploads it first. `limitBytes` bounds the
   * outbox (default: a quarter of the free space on its disk). `false`: nothing is staged.
   */
  staging?:
    | {
        /** The most the outbox may hold, in bytes (default: a quarter of the free space on its disk). */
        limitBytes?: number;
      }
    | false;
  /** Segments fetched in parallel (default 8; the simulation uses 1 for determinism). */
  fetchConcurrency?: number;
  /**
   * How a repository created by this open is made (docs/PROTOCOL.md §3.5-3.6): its format
   * (default 1 in this release's library API; the CLI creates format 2) and whether it is encrypted.
   */
  newRepository?: NewRepository;
  /**
   * What opens an encrypted repository: its passphrase, or the master key this node remembered
   * (`Library.unlockedKey`). Ignored for an unencrypted one. Without it, opening an encrypted
   * repository fails with `KeyRequired`; a wrong one with `KeyRejected`, and nothing is written.
   * A function is asked only when a key is needed (so a prompt appears only for an encrypted
   * repository), with the repository id ('' while creating one), and with need 'passphrase' when
   * a remembered key will not do: joining (only the keyring proves a key belongs to the
   * repository) or after a remembered key was refused.
   */
  secret?: RepositorySecret | SecretSource;
  /**
   * What this node leaves out of the sync, and what that means for the other nodes: `ExcludePatterns`.
   * A function is asked at every round, so they can change while the library is open (`ExcludeOption`).
   */
  exclude?: ExcludeOption;
  /**
   * Folders of the library that are other disks or shares, as paths relative to it (`scans`,
   * `archive/2024`), spelled as on the disk. A round that finds one not there, not a folder, or
   * empty (not mounted) syncs nothing at or below it, in either direction: no deletion is
   * published, changes of other nodes wait, and the path is in `skipped` (local/mount-points.ts).
   * A function is asked at every round, so they can change while the library is open (the CLI's
   * `watch` reads its config.json). One that cannot be is an `InvalidArgument` error.
   * @example ['scans']
   */
  mountPoints?: MountPointsOption;
  /**
   * When a round holds its local deletions back rather than publish them (engine/held-deletions.ts):
   * when at least `atLeast` files and folders (default 20), and at least `share` of the library's
   * (default 0.5), are gone from the disk at once with their content nowhere else in it, as when a
   * disk is not mounted. They are reported in `skipped` and a notice, and published by a
   * `sync({ confirmDeletions: true })`. `false`: every deletion is published at once.
   */
  deletionGuard?:
    | {
        /** The fewest deletions held back (default 20). */
        atLeast?: number;
        /** The smallest share of the library's records they must be, from 0 to 1 (default 0.5). */
        share?: number;
      }
    | false;
}

/** What opens an encrypted repository: a passphrase, or a master key remembered from `Library.unlockedKey()`. Both are secrets. */
export type RepositorySecret =
  | {
      /** One of the repository's passphrases (NFC-normalized before use). */
      passphrase: string;
    }
  | {
      /** The repository's 32-byte master key, as remembered (`UnlockedKey.masterKey`). */
      masterKey: Uint8Array;
    };
/**
 * Asks for the secret only when one is needed: with the repository id ('' while creating one), and
 * `need` 'passphrase' when a remembered master key will not do. Undefined: none to give.
 */
export type SecretSource = (repo: string, need?: 'passphrase') => Promise<RepositorySecret | undefined>;
