/**
 * Writing inside the library without ever leaving it. A folder of the library may be a symbolic
 * link on this machine (to another disk, or anywhere): `mkdir -p`, `rename` and `unlink` follow
 * links in every component but the last, so a write to `Photos/a.jpg` through a linked `Photos`
 * lands outside the library. Every parent component is therefore checked with lstat (never
 * followed) and created one level at a time; a parent that is a link, or not a folder, makes
 * that one path fail with a `PathError`, and the rest of the round goes on.
 *
 * (A link swapped in between the check and the write could still be followed: that needs a
 * process racing the sync inside the library, which can write there anyway.)
 */
import { closeSync, constants, lstatSync, mkdirSync, openSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';

/** Why a path of the library cannot be written here (stable codes). */
export type PathErrorCode =
  | 'ParentIsLink' // a folder on the way is a symbolic link on this machine
  | 'ParentNotFolder' // a folder on the way is a file here
  | 'TargetIsLink' // the path itself is a symbolic link here
  | 'TargetNotFolder' // a folder is wanted where a file (or something else) is
  | 'TargetIsFolder'; // a file is wanted where a folder is

export class PathError extends Error {
  readonly code: PathErrorCode;
  constructor(
    code: PathErrorCode,
    readonly path: string,
    message: string,
  ) {
    super(message);
    this.name = 'PathError';
    this.code = code;
  }
}

/** The parent folders of a `/`-separated relative path, outermost first: `a/b/c` → `a`, `a/b`. */
function parentsOf(rel: string): string[] {
  const parts = rel.split('/');
  const out: string[] = [];
  for (let i = 1; i < parts.length; i++) out.push(parts.slice(0, i).join('/'));
  return out;
}

/**
 * The first parent of `rel` that is not a real folder: a link or a file (undefined when every
 * parent that exists is a folder; missing ones are not a problem here).
 */
export function unsafeParent(root: string, rel: string): PathError | undefined {
  for (const p of parentsOf(rel)) {
    const s = lstatSync(join(root, p), { throwIfNoEntry: false });
    // Nothing below a missing folder exists either (nor below a file only the kernel's cache still has).
    if (!s || (s.isFile() && onlyInTheCache(join(root, p)))) return undefined;
    if (s.isSymbolicLink()) return new PathError('ParentIsLink', rel, `${p} is a symbolic link on this machine: nothing is written through it`);
    if (!s.isDirectory()) return new PathError('ParentNotFolder', rel, `${p} is a file on this machine, not a folder`);
  }
  return undefined;
}

/**
 * Creates the parent folders of `rel`, one at a time, never through a link; throws a PathError.
 * Returns the folders it created, for `removeCreated` when the write then fails.
 */
export function ensureParents(root: string, rel: string): string[] {
  const created: string[] = [];
  for (const p of parentsOf(rel)) if (ensureFolderAt(root, p, rel)) created.push(p);
  return created;
}

/**
 * Removes folders `ensureParents` made for a write that failed (a name too long, say): left
 * behind, they would be scanned as new empty folders and published.
 */
export function removeCreated(root: string, created: string[]): void {
  for (const p of [...created].reverse()) {
    try {
      rmdirSync(join(root, p)); // only if still empty
    } catch {
      return;
    }
  }
}

/** Makes `rel` itself a real folder (creating it if missing); throws a PathError. */
export function ensureFolder(root: string, rel: string): void {
  ensureParents(root, rel);
  const s = lstatSync(join(root, rel), { throwIfNoEntry: false });
  if (s?.isSymbolicLink()) throw new PathError('TargetIsLink', rel, `${rel} is a symbolic link on this machine: it is left alone`);
  ensureFolderAt(root, rel, rel);
}

/** Returns whether it created the folder. */
function ensureFolderAt(root: string, p: string, rel: string): boolean {
  const abs = join(root, p);
  let s = lstatSync(abs, { throwIfNoEntry: false });
  let created = false;
  // A file only the cache still has is no file: mkdir, which asks the file system itself, makes the folder.
  if (!s || (s.isFile() && onlyInTheCache(abs))) {
    try {
      mkdirSync(abs); // not recursive: its parent was just checked
      created = true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    s = lstatSync(abs); // created, or made meanwhile by someone else: look again
  }
  if (s.isSymbolicLink()) throw new PathError(p === rel ? 'TargetIsLink' : 'ParentIsLink', rel, `${p} is a symbolic link on this machine: nothing is written through it`);
  if (!s.isDirectory()) throw new PathError(p === rel ? 'TargetNotFolder' : 'ParentNotFolder', rel, `${p} is a file on this machine, not a folder`);
  return created;
}

/**
 * A name a stat still finds though the file system holds nothing there. Through FUSE (fuse-exfat
 * on Linux) the kernel matches names exactly while the disk folds case: a look-up of `c.txt` while
 * `C.txt` exists caches `c.txt` as that file, and once `C.txt` is moved away (to the trash, on a
 * case-only rename) a stat of `c.txt` keeps answering from that cache for about a second. Taken for
 * a file the user made, it kept the write out in silence (seeds 1817 and 2060 of the
 * case-insensitive simulation, whose rounds all fall within that second). Taken for a file on the
 * way, it kept out every path below it: `d/E`, looked up while the user had a file `d/e` and
 * cached as that file after the user deleted it, made `d/E/f.txt` fail as "d/E is a file" in
 * every round of that second (seed 18488). An open asks the file system itself, which finds
 * nothing; a rename onto such a name replaces nothing, and a mkdir of it makes the folder.
 */
export function onlyInTheCache(path: string): boolean {
  const s = lstatSync(path, { throwIfNoEntry: false });
  if (!s) return true;
  if (!s.isFile()) return false; // a link, a folder, a pipe: what the user has there stays (and a pipe's open would wait)
  try {
    closeSync(openSync(path, constants.O_RDONLY | constants.O_NONBLOCK));
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT';
  }
}

/**
 * Errors that concern one path only: reported for it, and the round goes on (the next round tries
 * again). Anything else (a full disk, a read-only or vanished library) stops the round as before.
 * EINVAL: a name this file system refuses (a FAT or SMB share and a `:` or `?` from a Mac).
 */
const PER_PATH_ERRNO = new Set(['ENAMETOOLONG', 'EEXIST', 'ENOTDIR', 'EISDIR', 'EACCES', 'EPERM', 'ELOOP', 'EINVAL', 'ENOTEMPTY']);

export function isPerPathError(e: unknown): boolean {
  if (e instanceof PathError) return true;
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && PER_PATH_ERRNO.has(code);
}

/** A short reason for a person: what went wrong with this path on this machine. */
export function describePathError(e: unknown): string {
  if (e instanceof PathError) return e.message;
  const code = (e as { code?: string }).code;
  switch (code) {
    case 'ENAMETOOLONG':
      return 'the name is too long for this file system';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EEXIST':
    case 'ENOTEMPTY':
    case 'EISDIR':
      return 'a folder of that name is in the way';
    case 'ENOTDIR':
      return 'a file is in the way where a folder should be';
    default:
      return (e as Error).message ?? String(e);
  }
}
