/**
 * Mount points: folders of a library that are another disk or a share (a clinic's scans share, a
 * USB drive of photos, a NAS folder mounted under the library). Not mounted, such a folder is an
 * empty folder of the disk below, or not there at all, and a scan would take that for a person
 * deleting every file on it: every other node would delete its copies, and what they publish there
 * would be written onto the wrong disk. The held-deletions guard (engine/held-deletions.ts) catches
 * a disk only when it holds most of the library; a mount point named here is checked at every round.
 *
 * When a mount point is not there, is not a folder, or is an empty folder, nothing at or below it
 * is synced that round, in either direction: its records are unknown rather than gone (no deletion
 * is published), what other nodes changed there waits, and the path is named in `skipped` (exit 8
 * in the CLI). Unison's `mountpoint` preference is the model ("double-check, at the end of update
 * detection, that PATH exists and abort if it does not. This is useful when Unison is used to
 * synchronize removable media": the Unison manual); here the rest of the library still syncs, and
 * an empty folder counts as not there, since that is what an unmounted mount point usually is.
 */
import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { SyncError } from '../model/sync-error.js';
import { libraryPathProblem } from './paths.js';

/**
 * `LibraryOptions.mountPoints`: a list, or a function asked at each round, so they can change
 * while a library is open (the CLI's `watch` reads its config.json: a mount point added while a
 * watch runs counts from its next round, not from its next start).
 */
export type MountPointsOption = readonly string[] | (() => readonly string[]);

/** The mount points `option` gives now; one that cannot be is an `InvalidArgument` error. */
export function mountPointsNow(option: MountPointsOption | undefined): readonly string[] {
  const list = typeof option === 'function' ? option() : (option ?? []);
  const bad = list.map(mountPointProblem).find((p) => p !== undefined);
  if (bad) throw new SyncError('InvalidArgument', bad);
  return list;
}

/** A mount point not there this round, and how it was found. */
export interface AbsentMountPoint {
  /** As configured: a library-relative disk path, `/`-separated. */
  readonly path: string;
  readonly found: 'missing' | 'empty' | 'not a folder' | 'unreadable';
  /** Not one of the library's mount points: a disk a running watch saw mounted there (engine/watch-mounts.ts), kept while it runs. */
  readonly seenByWatch?: true;
}

/** What is wrong with `path` as a mount point (a library-relative folder path), or undefined. */
export function mountPointProblem(path: string): string | undefined {
  const problem = libraryPathProblem(path);
  return problem && `mount point ${JSON.stringify(path)}: ${problem === 'empty' ? 'the library itself cannot be one' : problem} (a path relative to the library, such as scans or archive/2024)`;
}

/**
 * The mount points of `mountPoints` that are not there in `dir` now: missing, not a folder (a link
 * included), empty, or unreadable; and so of `seenByWatch`, disks a watch saw mounted in the library.
 */
export function absentMountPoints(dir: string, mountPoints: readonly string[], seenByWatch: readonly string[] = []): AbsentMountPoint[] {
  const absent: AbsentMountPoint[] = [];
  for (const path of mountPoints) {
    const found = howFound(join(dir, path));
    if (found !== 'there') absent.push({ path, found });
  }
  for (const path of seenByWatch) {
    const found = mountPoints.includes(path) ? 'there' : howFound(join(dir, path));
    if (found !== 'there') absent.push({ path, found, seenByWatch: true });
  }
  return absent;
}

/** The absent mount points not below another (a share mounted inside a disk not mounted: the disk is named, and covers it). */
export function outermostAbsent(absent: AbsentMountPoint[]): AbsentMountPoint[] {
  return absent.filter((m) => !absent.some((other) => other !== m && absentMountOf([other], m.path)));
}

/**
 * Whether an absent mount point is worth naming: not when it is in a folder this node leaves out
 * (`ignores`, folders with a trailing `/`), where nothing would sync anyway; named, it made exit 8
 * for nothing. It is still absent for the rest (no deletion; a restore in place writes nothing there).
 */
export const inIgnoredFolder = (path: string, ignores: (path: string) => boolean): boolean => path.split('/').some((_, i, parts) => ignores(`${parts.slice(0, i + 1).join('/')}/`));

/**
 * Any failure to look is a mount point not there, and stays with it: a share whose server went
 * away answers EIO or ENOTCONN ("transport endpoint is not connected", a dead FUSE mount), a
 * parent that became a file ENOTDIR; thrown, it stopped the whole round before its scan.
 */
function howFound(abs: string): AbsentMountPoint['found'] | 'there' {
  try {
    const st = lstatSync(abs, { throwIfNoEntry: false });
    if (!st) return 'missing';
    if (!st.isDirectory()) return 'not a folder';
    return readdirSync(abs).length === 0 ? 'empty' : 'there';
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ENOTDIR' ? 'missing' : 'unreadable';
  }
}

/** The absent mount point `diskPath` is at or below, if any. */
export function absentMountOf(absent: readonly AbsentMountPoint[] | undefined, diskPath: string): AbsentMountPoint | undefined {
  if (!absent) return undefined;
  for (const m of absent) if (diskPath === m.path || (diskPath.startsWith(m.path) && diskPath[m.path.length] === '/')) return m;
  return undefined;
}

const FOUND: Record<AbsentMountPoint['found'], string> = {
  missing: 'is not there',
  empty: 'is an empty folder (not mounted?)',
  'not a folder': 'is not a folder',
  unreadable: 'cannot be read (a share gone away?)',
};

/** What `m` is now, in words ("a mount point that is not there"). */
export const describeAbsentMount = (m: AbsentMountPoint): string => `${m.seenByWatch ? 'a disk this watch saw mounted, whose folder' : 'a mount point that'} ${FOUND[m.found]}`;

/** Why nothing at or below `m` was synced (its `skipped` reason). */
export const absentMountReason = (m: AbsentMountPoint): string =>
  `${describeAbsentMount(m)}: nothing at or below it was synced, in either direction (its files are not deleted anywhere, and changes from other nodes wait); mount it and sync again, or, ${
    m.seenByWatch
      ? `to keep it so after this watch, make it a mount point (\`syncacross mount-point add ${m.path}\`); if its files are gone for good, restart the watch`
      : `if it is no longer a mount point, take it out of them (\`syncacross mount-point remove ${m.path}\`)`
  }`;

/** What a round says of the changes of other nodes it left for absent mount points. */
export const awaitingMountNotice = (changes: number, absent: readonly AbsentMountPoint[]): string =>
  `${changes.toLocaleString('en-US')} change(s) from other nodes below ${absent.map((m) => m.path).join(', ')} wait until ${absent.length === 1 ? 'it is' : 'they are'} mounted again`;
