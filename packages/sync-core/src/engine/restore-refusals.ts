/**
 * Why a restore leaves a path alone, in words shared by every path with the same cause (a listing
 * then names a few and counts the rest: the CLI's not-synced-output.ts), and which paths an
 * in-place restore refuses before reading anything.
 */
import type { AbsentMountPoint } from '../local/mount-points.js';
import { absentMountOf, describeAbsentMount } from '../local/mount-points.js';
import type { LocalRecord } from '../local/state.js';
import type { TreeEntry } from './merge.js';

/**
 * Why a path was not restored, as a stable code: what a program acts on (the CLI suggests
 * `verify --repair` for `ContentUnreadable`), where `reason` is for a person and may be reworded.
 */
export type RestoreFailureCode =
  /** Nothing was at the path at that moment (for the whole library: nothing was in it). */
  | 'NothingThen'
  /** The remote could not give its content (a lost or damaged pack), and no file of this machine holds it. */
  | 'ContentUnreadable'
  /** In place: the file changed since the last sync (sync first, then restore). */
  | 'ChangedSinceSync'
  /** Into a folder: a file appeared at the path while it was being restored. */
  | 'AppearedWhileRestoring'
  /** In place: the path is below a mount point that is not there (mount it, then restore). */
  | 'AwaitingMount'
  /** This machine cannot write the path: a link or a folder in the way, a name too long, permission denied. */
  | 'CannotWrite';

/** A path not restored, and why. */
export interface RestoreFailure {
  /** The library path (for a requested path with nothing at that moment, the path as requested). */
  path: string;
  /** Why, as a stable code. */
  code: RestoreFailureCode;
  /** Why, for a person to read. */
  reason: string;
}

/** A refusal of one path, before the path is known (restore.ts' `restoreOne`). */
export type Refusal = Omit<RestoreFailure, 'path'>;

const UNREADABLE_CONTENT = 'could not read its content from the remote';

/** The fetcher's words without the chunk's id: the files of one lost pack then share one reason, named a few and counted. */
const withoutChunkId = (message: string) => message.replace(/^chunk [0-9a-f]+ /, 'a chunk of it ');

/**
 * Reasons name the file only where the disk spells it otherwise than the path they are printed
 * beside (an NFD name): the same words for every such file, so a listing names a few and counts
 * the rest (the CLI's not-synced-output.ts), not 5,000 lines for a folder restored over edits.
 */
export const onDisk = (diskPath: string, path: string) => (diskPath === path ? '' : `(on disk as ${diskPath}) `);
export const changedSince = (diskPath: string, path: string): Refusal => ({ code: 'ChangedSinceSync', reason: `${onDisk(diskPath, path)}changed since the last sync: sync first, then restore` });

/** Content the remote could not give (the fetcher's error, `Corrupt` or `NotFound`). */
export const unreadableContent = (e: Error): Refusal => ({ code: 'ContentUnreadable', reason: `${UNREADABLE_CONTENT}: ${withoutChunkId(e.message)}` });

/**
 * In place, the entries not below a mount point that is not there; the others refused. Written
 * there, a file would land on the disk below the mount point (or make the folder), and the next
 * sync would find the mounted disk in its place.
 */
export function outsideAbsentMounts(entries: TreeEntry[], target: { byTreePath: Map<string, LocalRecord>; absentMounts?: readonly AbsentMountPoint[] }, failed: RestoreFailure[]): TreeEntry[] {
  if (!target.absentMounts?.length) return entries;
  return entries.filter((e) => {
    const m = absentMountOf(target.absentMounts, target.byTreePath.get(e.path)?.path ?? e.path);
    if (m) failed.push({ path: e.path, code: 'AwaitingMount', reason: `below ${m.path}, ${describeAbsentMount(m)}: mount it, then restore` });
    return !m;
  });
}
