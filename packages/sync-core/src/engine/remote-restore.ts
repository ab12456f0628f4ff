/**
 * A repository's history read straight from the remote, with no library: what a brand-new
 * machine needs to restore files before (or instead of) joining. Every segment is fetched,
 * verified and applied into a throw-away state database, as a sync's pull would; nothing is
 * written to the remote, and a remote that holds no repository is refused, never created.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalState } from '../local/state.js';
import { checkedStorage } from '../storage/checked.js';
import type { Storage } from '../storage/contract.js';
import { withRetry, type RetryOptions } from '../storage/wrappers/retry.js';
import { chunkLocator } from './chunk-locations.js';
import { parsePointInTime } from './point-in-time.js';
import { applyNewSegments, listSegments } from './remote-segments.js';
import { findRepository } from './repository.js';
import { FORMAT_1, format2Codec } from '../codec/repository-codec.js';
import { dataKeyOf } from '../codec/keyring.js';
import { restoreEntries, type RestoreOutcome } from './restore.js';
import { emptyReport, type SyncProgress } from './sync-summary.js';

/** What `restoreFromRemote` takes: the remote, what to restore, and where to. */
export interface RemoteRestoreOptions {
  /** The remote holding the repository (an adapter's storage; retried and checked here). */
  storage: Storage;
  /** Library paths, files or folders; everything when absent or empty. */
  paths?: string[];
  /** When to restore (see `Library.restore`); default now. */
  at?: string;
  /** The folder to write into; it must be empty or new unless `overwrite`. */
  to: string;
  /** Restore into a folder that is not empty, replacing files of the same name there (default false: refused with `TargetNotEmpty`). */
  overwrite?: boolean;
  /** Say what would be written, and write nothing (the segments are still read, to know). */
  dryRun?: boolean;
  /** Stops the restore (between segments fetched, or between files written). */
  signal?: AbortSignal;
  /** Called as it goes: `fetch` (with the number of segments to read), then `materialize` per file, then `done`. */
  onProgress?: (p: SyncProgress) => void;
  /** How transient failures are retried (`withRetry`'s defaults when absent). */
  retry?: RetryOptions;
  /** The passphrase of an encrypted repository (a function: asked only if the repository is encrypted). */
  passphrase?: string | ((repo: string) => Promise<string | undefined>);
  /** The clock, ms since the epoch, that `at` spans ("2h") count back from (default `Date.now`). */
  now?: () => number;
}

/**
 * Restores from the remote alone. `warnings` names segments that could not be read (their
 * versions are missing from what was restored): the caller must not call that a clean restore.
 */
export async function restoreFromRemote(o: RemoteRestoreOptions): Promise<
  RestoreOutcome & {
    /** Segments that could not be read or applied, for a person to read; empty for a complete restore. */
    warnings: string[];
  }
> {
  const storage = withRetry(checkedStorage(o.storage), o.retry);
  // Listing the segments needs no key: it goes on while an encrypted repository's passphrase is
  // stretched (scrypt: 0.3 s here, seconds on a NAS's CPU), and a slow remote's listing with it.
  const listed = listSegments(storage);
  listed.catch(() => undefined); // awaited below; a remote that holds no repository says so first
  const found = await findRepository(storage, o.passphrase);
  const repoIds = found.ids;
  const codec = found.format === 1 ? FORMAT_1 : format2Codec(found.key && dataKeyOf(found.key.masterKey));
  const dir = await mkdtemp(join(tmpdir(), 'syncacross-restore-'));
  const state = new LocalState(join(dir, 'state.db'));
  try {
    const report = emptyReport();
    const listing = await listed;
    const progress = (total: number) => o.onProgress?.({ phase: 'fetch', done: 0, total, bytes: 0 });
    await applyNewSegments({ state, storage, now: (o.now ?? Date.now)(), fetchConcurrency: 8, codec, progress, signal: o.signal }, report, listing, new Set(), repoIds);
    const versions = state.allVersions();
    const at = parsePointInTime(o.at ?? 'now', (o.now ?? Date.now)(), () => versions);
    const outcome = await restoreEntries(
      { versions, storage, codec, locate: chunkLocator(state), concurrency: 8 },
      { paths: o.paths ?? [], at, target: { kind: 'folder', dir: o.to, overwrite: o.overwrite === true }, dryRun: o.dryRun === true, signal: o.signal, onProgress: o.onProgress },
    );
    return { ...outcome, warnings: [...report.errors, ...report.retryable] };
  } finally {
    state.close();
    await rm(dir, { recursive: true, force: true });
  }
}
