/**
 * Restoring the library as it was at a moment: into another folder (the tree at that moment,
 * exactly), or into the library itself, where the old content becomes new versions that sync to
 * every node like any edit (the replaced versions stay in history). Content comes from the packs
 * through the same fetcher and the same safe writer as a sync's downloads: written to a temporary
 * file and renamed into place, never through a symbolic link, SQLite databases switched through
 * SQLite.
 */
import type { RepositoryCodec } from '../codec/repository-codec.js';
import { readdirSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { statOf, unchangedSince, writeVersion, type ChunkSource } from '../local/materialize.js';
import type { AbsentMountPoint } from '../local/mount-points.js';
import { changedSince, onDisk, outsideAbsentMounts, unreadableContent, type Refusal, type RestoreFailure } from './restore-refusals.js';
import type { LocalContent } from './restore-local-copies.js';
import { describePathError, isPerPathError } from '../local/safe-paths.js';
import type { LocalRecord } from '../local/state.js';
import { checkAborted } from '../model/abort.js';
import type { ChunkLocation } from '../model/chunk-location.js';
import { SyncError } from '../model/sync-error.js';
import type { HashedVersion } from '../model/version.js';
import type { Storage } from '../storage/contract.js';
import { ChunkFetcher } from './chunk-fetcher.js';
import { packOrderKey, type Locate } from './chunk-locations.js';
import { Overlap } from './overlap.js';
import type { TreeEntry } from './merge.js';
import type { PointInTime } from './point-in-time.js';
import { nothingInLibrary, selectEntries } from './restore-selection.js';
import type { SyncProgress } from './sync-summary.js';

/** What `Library.restore` takes. */
export interface RestoreOptions {
  /** Library paths, files or folders; the whole library when absent or empty. */
  paths?: string[];
  /**
   * When: an ISO date or time, a span back from now (`2h`, `3 days ago`), or a version id from
   * `history()`; default now (every version known, whatever its time: `PointInTime.latest`).
   */
  at?: string;
  /** Write the tree of that moment into this folder (empty or new, unless `overwrite`)… */
  to?: string;
  /** …or bring it back into the library as new versions, then sync (the replaced versions stay in history). */
  inPlace?: boolean;
  /** Replace files already in the `to` folder (without it, a folder that is not empty is refused). */
  overwrite?: boolean;
  /** Say what would be restored, left unchanged or refused, and write nothing (no download, no sync). */
  dryRun?: boolean;
  /** Stops the restore between files (the files already written stay); in place, also the sync that follows. */
  signal?: AbortSignal;
  /** Called as files are written (phase `materialize`, then `done`); in place, the sync that follows reports too. */
  onProgress?: (p: SyncProgress) => void;
}

interface RestoredFile {
  path: string;
  version: string;
  size: number;
}

/** What a restore did: every requested path is restored, already as it was, or named with why not. */
export interface RestoreOutcome {
  /** Present and true when nothing was written: `restored` is what would have been. */
  dryRun?: true;
  /** The moment restored, ISO. */
  at: string;
  /** The files and folders written (in a dry run: to be written), in path order, each with its version and size in bytes. */
  restored: RestoredFile[];
  /** In place: paths that already held the content of that moment. */
  unchanged: string[];
  /** Paths not restored, in path order, each with a stable code and a reason: nothing was there at that moment, the content could not be read from the remote, or (in place) the file changed since the last sync. */
  failed: RestoreFailure[];
  /** Requested paths that were deleted at that moment, restored from their last live version. */
  undeleted: string[];
  /**
   * Files restored whose content the remote could not give (a lost or damaged pack): it came from
   * a file of this library holding the same content. Absent when there are none. The remote still
   * lacks it: `verify --repair` uploads it again; a library not opened read-only also notes the
   * packs that failed, and its next sync (in place: the one that follows) looks for them and
   * uploads again what it finds lost.
   */
  fromThisMachine?: string[];
}

type RestoreTarget =
  | { kind: 'folder'; dir: string; overwrite: boolean }
  /** `settle`: the record made good if the file still holds its recorded content (a record stored racy, a touched database). */
  /** `byTreePath`: the local records by the tree path they stand for (a record is keyed by its name on disk). */
  /** `absentMounts`: mount points not there (local/mount-points.ts): nothing is written below them. */
  | { kind: 'in-place'; dir: string; byTreePath: Map<string, LocalRecord>; settle: (record: LocalRecord) => Promise<LocalRecord>; absentMounts?: readonly AbsentMountPoint[] };

export interface RestoreSource {
  versions: HashedVersion[];
  /** Versions known replaced whose replacing versions were pruned (merge.ts `headsByPath`). */
  superseded?: ReadonlySet<string>;
  storage: Storage;
  /** How the repository stores chunks (its format, and its key when encrypted). */
  codec: RepositoryCodec;
  locate: Locate;
  /** Files written at once (the library's fetch concurrency; 1 keeps a run strictly in order). */
  concurrency: number;
  /** Where content the remote cannot give may be found on this machine (restore-local-copies.ts); absent: nowhere. */
  localContent?: LocalContent;
  /** Told the packs that a read failed in (missing, short or not what their name says), once the files are written. */
  onUnreadablePacks?: (packs: string[]) => void;
}

export interface RestoreRequest {
  /** Library paths, files or folders; every path when empty. */
  paths: string[];
  at: PointInTime;
  target: RestoreTarget;
  /** Plan only: see `RestoreOptions.dryRun`. */
  dryRun?: boolean;
  signal?: AbortSignal;
  onProgress?: (p: SyncProgress) => void;
}

export async function restoreEntries(source: RestoreSource, request: RestoreRequest): Promise<RestoreOutcome> {
  const { target } = request;
  const selected = selectEntries(source.versions, request.at, request.paths, source.superseded);
  const { missing, undeleted } = selected;
  const outcome: RestoreOutcome = { at: new Date(request.at.time).toISOString(), restored: [], unchanged: [], failed: [], undeleted };
  for (const path of missing) outcome.failed.push({ path, code: 'NothingThen', reason: path ? `nothing was at ${path} at ${outcome.at}` : nothingInLibrary(source.versions, request.at) });
  const entries = target.kind === 'in-place' ? outsideAbsentMounts(selected.entries, target, outcome.failed) : selected.entries;
  if (target.kind === 'folder') refuseNonEmpty(target.dir, target.overwrite);
  if (request.dryRun) return planRestore(entries, target, outcome);
  // Nothing to write, nothing made: a restore that found nothing leaves no empty folder behind.
  if (target.kind === 'folder' && entries.length > 0) await mkdir(target.dir, { recursive: true });
  // Every chunk it gives is released once written (materialize.ts): ranges are read into buffers used again.
  const fetcher = new ChunkFetcher(source.storage, source.codec, source.locate, request.signal, { reusesBuffers: true });
  // In place, a file whose record names the version to restore is left as it is (restoreOne):
  // its chunks are not planned, or reads of the others would bring them in with theirs.
  const toWrite = target.kind === 'in-place' ? entries.filter((e) => target.byTreePath.get(e.path)?.version !== e.version.hash) : entries;
  fetcher.plan(toWrite.flatMap((e) => e.version.chunks));
  const total = entries.reduce((n, e) => n + e.version.size, 0);
  let bytes = 0;
  let done = 0;
  // Files overlap as in a sync's download (write-versions.ts); folders go alone, before what lies in them.
  const results: Written[] = [];
  const overlap = new Overlap(Math.min(8, source.concurrency));
  try {
    for (const i of writeOrder(entries, source.locate)) {
      const entry = entries[i]!;
      checkAborted(request.signal);
      request.onProgress?.({ phase: 'materialize', done, total: entries.length, bytes, path: entry.path });
      const write = async () => {
        const written = await restoreOne({ fetcher, local: source.localContent }, entry, target, request.signal);
        results[i] = written;
        done++;
        if (typeof written === 'object' && 'size' in written) bytes += written.size;
      };
      await overlap.run(write, entry.version.kind === 'dir');
    }
    await overlap.settle();
  } finally {
    await overlap.drain();
  }
  const unreadable = [...new Set(fetcher.failures.map((f) => f.pack))].sort();
  if (unreadable.length > 0) source.onUnreadablePacks?.(unreadable);
  // Reported in path order, whichever finished first.
  for (const [i, written] of results.entries()) {
    const path = entries[i]!.path;
    if (written === 'unchanged') outcome.unchanged.push(path);
    else if ('code' in written) outcome.failed.push({ path, ...written });
    else {
      const { fromThisMachine, ...restored } = written;
      outcome.restored.push(restored);
      if (fromThisMachine) (outcome.fromThisMachine ??= []).push(path);
    }
  }
  request.onProgress?.({ phase: 'done', done: entries.length, total: entries.length, bytes: total });
  return outcome;
}

/**
 * Indexes of `entries` in the order to write them: folders first (in path order, so a parent
 * before its children), then files in pack order, so neighbouring chunks come from one ranged
 * read while it is still at hand (path order jumps between packs).
 */
function writeOrder(entries: TreeEntry[], locate: (hash: string) => ChunkLocation[]): number[] {
  const where = entries.map((e) => (e.version.kind === 'dir' ? '0' : `1${packOrderKey(e.version.chunks[0] ? locate(e.version.chunks[0])[0] : undefined)}`));
  return entries.map((_, i) => i).sort((a, b) => (where[a]! < where[b]! ? -1 : where[a]! > where[b]! ? 1 : a - b));
}

/**
 * A dry run: what `restoreOne` would decide for each entry, from the local records and a stat of
 * the file there, with nothing read from the remote or written. A file changed here since the
 * last sync would be refused in place, as the restore refuses it.
 */
async function planRestore(entries: TreeEntry[], target: RestoreTarget, outcome: RestoreOutcome): Promise<RestoreOutcome> {
  for (const { path, version: v } of entries) {
    const planned = { path, version: v.hash, size: v.kind === 'dir' ? 0 : v.size };
    if (target.kind === 'folder') {
      outcome.restored.push(planned);
      continue;
    }
    const recorded = target.byTreePath.get(path);
    const record = recorded && (await target.settle(recorded));
    const diskPath = join(target.dir, record?.path ?? path);
    const there = await statOf(diskPath);
    if (there && !(await unchangedSince(diskPath, record))) outcome.failed.push({ path, ...changedSince(record?.path ?? path, path) });
    else if (record && record.version === v.hash && there) outcome.unchanged.push(path);
    else outcome.restored.push(planned); // a file gone since the last sync is written back, as restoreOne does
  }
  return { dryRun: true, ...outcome };
}

/** Restoring over files already there is a choice the user makes, never a default. */
function refuseNonEmpty(dir: string, overwrite: boolean): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  if (names.length > 0 && !overwrite) throw new SyncError('TargetNotEmpty', `${dir} is not empty: restore into an empty or new folder, or allow overwriting files there`);
}

/** What one entry came to: written (from this machine's copy, when the remote could not give it), already so, or refused. */
type Written = (RestoredFile & { fromThisMachine?: true }) | 'unchanged' | Refusal;

/** Writes one entry; returns what was written, 'unchanged', or why it was not. */
async function restoreOne(from: { fetcher: ChunkFetcher; local?: LocalContent }, entry: TreeEntry, target: RestoreTarget, signal?: AbortSignal): Promise<Written> {
  const v = entry.version;
  let diskPath = entry.path;
  let record: LocalRecord | undefined;
  if (target.kind === 'in-place') {
    const recorded = target.byTreePath.get(entry.path);
    record = recorded && (await target.settle(recorded));
    diskPath = record?.path ?? entry.path;
    const there = record ? (await statOf(join(target.dir, diskPath))) !== undefined : false;
    // The version asked for is the one last synced here: already so, unless the file was edited since.
    if (record && there && record.version === v.hash) return (await unchangedSince(join(target.dir, diskPath), record)) ? 'unchanged' : changedSince(diskPath, entry.path);
    // Gone from the disk since the last sync (a deletion not published yet, or held back as one of
    // too many): nothing of the user's is there to lose, so it is written back as a new file is.
    if (!there) record = undefined;
  } else if (target.overwrite) {
    // The file there now is what the user agreed to replace: record it as seen.
    const s = await statOf(join(target.dir, diskPath));
    if (s) record = { path: diskPath, treePath: entry.path, version: '', ...s };
  }
  const written = { path: entry.path, version: v.hash, size: v.kind === 'dir' ? 0 : v.size };
  const write = async (chunks: ChunkSource): Promise<Written> => {
    const result = await writeVersion(target.dir, diskPath, v, chunks, record, '', signal);
    if (result !== 'local-edit') return written;
    return target.kind === 'in-place' ? changedSince(diskPath, entry.path) : { code: 'AppearedWhileRestoring', reason: `${onDisk(diskPath, entry.path)}appeared while restoring` };
  };
  try {
    try {
      return await write(from.fetcher);
    } catch (e) {
      // Content the remote cannot give (a lost or damaged pack): from a file here that holds it,
      // if one does (named in the outcome); otherwise this path is not restored, the others are.
      if (!isUnreadable(e)) throw e;
      const again = await from.local?.(v, write);
      if (again === undefined) return unreadableContent(e as Error);
      return typeof again === 'object' && 'version' in again ? { ...again, fromThisMachine: true } : again;
    }
  } catch (e) {
    if (isPerPathError(e)) return { code: 'CannotWrite', reason: describePathError(e) };
    throw e;
  }
}

const isUnreadable = (e: unknown) => ['Corrupt', 'NotFound'].includes((e as { code?: string }).code ?? '');
