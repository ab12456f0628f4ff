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
import { statOf, unchangedSince, writeVersion } from '../local/materialize.js';
import type { AbsentMountPoint } from '../local/mount-points.js';
import { changedSince, onDisk, outsideAbsentMounts, UNREADABLE_CONTENT, withoutChunkId } from './restore-refusals.js';
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
import { deletedAt, isUnder as under, lastLiveBefore, treeAt, type PointInTime } from './point-in-time.js';
import type { SyncProgress } from './sync-summary.js';

/** What `Library.restore` takes. */
export interface RestoreOptions {
  /** Library paths, files or folders; the whole library when absent or empty. */
  paths?: string[];
  /**
   * When: an ISO date or time, a span back from now (`2h`, `3 days ago`), or a version id from
   * `history()`; default now.
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
  /** Paths not restored, in path order: nothing was there at that moment, the content could not be read from the remote, or (in place) the file changed since the last sync. */
  failed: {
    /** The library path (for a requested path with nothing at that moment, the path as requested). */
    path: string;
    /** Why, for a person to read. */
    reason: string;
  }[];
  /** Requested paths that were deleted at that moment, restored from their last live version. */
  undeleted: string[];
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

/** The entries to write: the tree at the moment under each requested path, or a deleted path's last live version. */
function selectEntries(versions: HashedVersion[], at: PointInTime, paths: string[], superseded?: ReadonlySet<string>): { entries: TreeEntry[]; missing: string[]; undeleted: string[] } {
  const tree = treeAt(versions, at, superseded);
  const wanted = paths.length === 0 ? [''] : paths.map((p) => p.normalize('NFC').replace(/^\/+|\/+$/g, ''));
  const chosen = new Map<string, TreeEntry>();
  const missing: string[] = [];
  const undeleted: string[] = [];
  for (const prefix of wanted) {
    let found = false;
    for (const e of tree.values()) {
      if (!under(e.path, prefix)) continue;
      chosen.set(e.path, e);
      found = true;
    }
    if (found) continue;
    if (prefix === '') {
      missing.push(''); // the whole library: nothing was in it then (restoreEntries says when its history starts)
      continue;
    }
    // Deleted by then: bring back what the path last held (a folder: every file deleted under it).
    for (const path of deletedAt(versions, at, superseded).keys()) {
      if (!under(path, prefix)) continue;
      const live = lastLiveBefore(versions, path, at);
      if (!live) continue;
      chosen.set(path, { path, version: live });
      found = true;
    }
    if (found) undeleted.push(prefix);
    else missing.push(prefix);
  }
  // Folders before what lies in them; then by path, so a run is repeatable.
  const entries = [...chosen.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { entries, missing, undeleted };
}

/**
 * Why a restore of the whole library found nothing: "Restored 0 entries", exit 0, read as a restore
 * that worked, when it was asked for a moment before anything was synced (`--at "1 year ago"`),
 * or after everything had been deleted.
 */
function nothingInLibrary(versions: HashedVersion[], at: number): string {
  const first = versions.reduce((t, v) => Math.min(t, v.hlc), Infinity);
  if (first === Infinity) return 'nothing is in the library: no version of any file is known';
  const when = new Date(at).toISOString();
  return first > at
    ? `nothing was in the library at ${when}: its history starts at ${new Date(first).toISOString()}`
    : `nothing was in the library at ${when}: everything in it had been deleted by then`;
}

export async function restoreEntries(source: RestoreSource, request: RestoreRequest): Promise<RestoreOutcome> {
  const { target } = request;
  const selected = selectEntries(source.versions, request.at, request.paths, source.superseded);
  const { missing, undeleted } = selected;
  const outcome: RestoreOutcome = { at: new Date(request.at.time).toISOString(), restored: [], unchanged: [], failed: [], undeleted };
  for (const path of missing) outcome.failed.push({ path, reason: path ? `nothing was at ${path} at ${outcome.at}` : nothingInLibrary(source.versions, request.at.time) });
  const entries = target.kind === 'in-place' ? outsideAbsentMounts(selected.entries, target, outcome.failed) : selected.entries;
  if (target.kind === 'folder') refuseNonEmpty(target.dir, target.overwrite);
  if (request.dryRun) return planRestore(entries, target, outcome);
  // Nothing to write, nothing made: a restore that found nothing leaves no empty folder behind.
  if (target.kind === 'folder' && entries.length > 0) await mkdir(target.dir, { recursive: true });
  const fetcher = new ChunkFetcher(source.storage, source.codec, source.locate, request.signal);
  // In place, a file whose record names the version to restore is left as it is (restoreOne):
  // its chunks are not planned, or reads of the others would bring them in with theirs.
  const toWrite = target.kind === 'in-place' ? entries.filter((e) => target.byTreePath.get(e.path)?.version !== e.version.hash) : entries;
  fetcher.plan(toWrite.flatMap((e) => e.version.chunks));
  const total = entries.reduce((n, e) => n + e.version.size, 0);
  let bytes = 0;
  let done = 0;
  // Files overlap as in a sync's download (write-versions.ts); folders go alone, before what lies in them.
  const results: (RestoredFile | 'unchanged' | string)[] = [];
  const overlap = new Overlap(Math.min(8, source.concurrency));
  try {
    for (const i of writeOrder(entries, source.locate)) {
      const entry = entries[i]!;
      checkAborted(request.signal);
      request.onProgress?.({ phase: 'materialize', done, total: entries.length, bytes, path: entry.path });
      const write = async () => {
        const written = await restoreOne(fetcher, entry, target, request.signal);
        results[i] = written;
        done++;
        if (typeof written === 'object') bytes += written.size;
      };
      await overlap.run(write, entry.version.kind === 'dir');
    }
    await overlap.settle();
  } finally {
    await overlap.drain();
  }
  // Reported in path order, whichever finished first.
  for (const [i, written] of results.entries()) {
    const path = entries[i]!.path;
    if (written === 'unchanged') outcome.unchanged.push(path);
    else if (typeof written === 'string') outcome.failed.push({ path, reason: written });
    else outcome.restored.push(written);
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
    if (there && !(await unchangedSince(diskPath, record))) outcome.failed.push({ path, reason: changedSince(record?.path ?? path, path) });
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

/** Writes one entry; returns what was written, 'unchanged', or why it was not. */
async function restoreOne(fetcher: ChunkFetcher, entry: TreeEntry, target: RestoreTarget, signal?: AbortSignal): Promise<RestoredFile | 'unchanged' | string> {
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
  try {
    const result = await writeVersion(target.dir, diskPath, v, fetcher, record, '', signal);
    if (result === 'local-edit') return target.kind === 'in-place' ? changedSince(diskPath, entry.path) : `${onDisk(diskPath, entry.path)}appeared while restoring`;
    return { path: entry.path, version: v.hash, size: v.kind === 'dir' ? 0 : v.size };
  } catch (e) {
    if (isPerPathError(e)) return describePathError(e);
    // Content the remote cannot give (a lost or damaged pack): this path is not restored, the others are.
    const code = (e as { code?: string }).code;
    if (code === 'Corrupt' || code === 'NotFound') return `${UNREADABLE_CONTENT}: ${withoutChunkId((e as Error).message)}`;
    throw e;
  }
}
