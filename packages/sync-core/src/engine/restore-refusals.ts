/**
 * Why a restore leaves a path alone, in words shared by every path with the same cause (a listing
 * then names a few and counts the rest: the CLI's not-synced-output.ts), and which paths an
 * in-place restore refuses before reading anything.
 */
import type { AbsentMountPoint } from '../local/mount-points.js';
import { absentMountOf, describeAbsentMount } from '../local/mount-points.js';
import type { LocalRecord } from '../local/state.js';
import type { TreeEntry } from './merge.js';

/** How a restore's reason for content the remote could not give begins (the CLI matches it to suggest `verify --repair`: commands/restore.ts). */
export const UNREADABLE_CONTENT = 'could not read its content from the remote';

/** The fetcher's words without the chunk's id: the files of one lost pack then share one reason, named a few and counted. */
export const withoutChunkId = (message: string) => message.replace(/^chunk [0-9a-f]+ /, 'a chunk of it ');

/**
 * Reasons name the file only where the disk spells it otherwise than the path they are printed
 * beside (an NFD name): the same words for every such file, so a listing names a few and counts
 * the rest (the CLI's not-synced-output.ts), not 5,000 lines for a folder restored over edits.
 */
export const onDisk = (diskPath: string, path: string) => (diskPath === path ? '' : `(on disk as ${diskPath}) `);
export const changedSince = (diskPath: string, path: string) => `${onDisk(diskPath, path)}changed since the last sync: sync first, then restore`;

/**
 * In place, the entries not below a mount point that is not there; the others refused. Written
 * there, a file would land on the disk below the mount point (or make the folder), and the next
 * sync would find the mounted disk in its place.
 */
export function outsideAbsentMounts(
  entries: TreeEntry[],
  target: { byTreePath: Map<string, LocalRecord>; absentMounts?: readonly AbsentMountPoint[] },
  failed: { path: string; reason: string }[],
): TreeEntry[] {
  if (!target.absentMounts?.length) return entries;
  return entries.filter((e) => {
    const m = absentMountOf(target.absentMounts, target.byTreePath.get(e.path)?.path ?? e.path);
    if (m) failed.push({ path: e.path, reason: `below ${m.path}, ${describeAbsentMount(m)}: mount it, then restore` });
    return !m;
  });
}
