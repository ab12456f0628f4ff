/**
 * What never syncs: our own state, temporary and lock files of common apps, OS junk, SQLite side
 * files (a -wal/-shm/-journal copied next to a database from another moment corrupts it), plus
 * the user's `.syncacrossignore` (gitignore syntax) at the library root; and what this node
 * excludes on top (`LibraryOptions.exclude`: the CLI's config and command-line patterns).
 *
 * Two kinds, because they mean different things to the other nodes:
 * - ignored (built-in, `.syncacrossignore`, a file the library shares): never published from
 *   here; what other nodes publish at such a path is still written here, as always;
 * - excluded (this node's own patterns): left out on this node in both directions (rclone's
 *   `--exclude`): not published, not written, not deleted here.
 * Neither is ever a delete: a synced file that becomes ignored or excluded is left out, not gone.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ignore from 'ignore';
import { absentMountPoints, mountPointsNow, outermostAbsent, type AbsentMountPoint, type MountPointsOption } from './mount-points.js';

/**
 * The gitignore patterns no library syncs: its own state folder and temporary files, SQLite side
 * files, OS junk, and the lock, swap and partial-download files of common apps. A library's
 * `.syncacrossignore` or `exclude` may bring one back with `!pattern`, except the state folder and temporary files.
 */
export const BUILTIN_IGNORES = [
  '.syncacross/',
  '*.syncacross-tmp-*',
  '*-wal',
  '*-shm',
  '*-journal',
  '.DS_Store',
  '._*',
  'Thumbs.db',
  'desktop.ini',
  '$RECYCLE.BIN/',
  '.Trash-*/',
  '~$*', // Microsoft Office owner files
  '.~lock.*#', // LibreOffice locks
  '*.swp',
  '*.swx',
  '*~',
  '.#*', // Emacs locks
  '*.crdownload',
  '*.part',
];

/**
 * What a node leaves out of the sync (`LibraryOptions.exclude`), in gitignore syntax (the same as
 * `.syncacrossignore`), applied after the built-in list and `.syncacrossignore` (a `!pattern`
 * brings a path back). An excluded path is left alone in both directions: not published from
 * here, not written or deleted here when other nodes change it (counted in
 * `SyncSummary.excluded`), and never published as deleted because this node stopped seeing it.
 * @example ['*.tmp', 'build/*', '!build/keep.txt']
 */
export type ExcludePatterns = readonly string[];

/**
 * `LibraryOptions.exclude`: the patterns, or a function asked at every round (and by a watch, at
 * most every few seconds), so they can change while a library is open: the CLI's `watch` reads
 * its config.json, and `syncacross exclude add` reaches it at its next round.
 */
export type ExcludeOption = ExcludePatterns | (() => ExcludePatterns);

/** The patterns `option` gives now. */
const excludeNow = (option: ExcludeOption | undefined): ExcludePatterns => (typeof option === 'function' ? option() : (option ?? []));

/** Our own state and temporary files: no pattern, not even a `!` one, brings them into a sync. */
const ALWAYS_IGNORED = ['.syncacross/', '*.syncacross-tmp-*'];
const MENTIONS_OURS = /\.syncacross/i;

/**
 * Every path some pattern of `BUILTIN_IGNORES` matches (itself or a folder it is in) holds one of
 * these, ignoring case as the rules do: a path with none, nearly every one, is judged by the other
 * rules alone. Testing 19 patterns on every path was a fifth of a no-op sync over 100,000 files.
 * A superset, proven against the patterns in ignore-prefilter.test.ts: keep the two lists in step.
 */
export const MAY_MATCH_BUILTIN = /\.syncacross|-wal|-shm|-journal|\.ds_store|(?:^|\/)\._|thumbs\.db|desktop\.ini|\$recycle\.bin|\.trash-|~|\.#|\.crdownload|\.part|\.sw[px]/i;

/** How the scan, the watcher and the materialization tell what is outside the sync. */
export interface PathRules {
  /** Outside the sync in any way (folders with a trailing `/`). */
  ignores(path: string): boolean;
  /** Left out by this node's exclude patterns (not by the built-in list or `.syncacrossignore`). */
  excludes(path: string): boolean;
  /** Mount points not there when the rules were made (mount-points.ts): nothing at or below them is synced. */
  absentMounts?: readonly AbsentMountPoint[];
  /** This node's exclude patterns as they were when the rules were made (absent: none). */
  excludePatterns?: ExcludePatterns;
  /** The mount points the rules were made with, a watch's `seenByWatch` included (absent: none). */
  mountPoints?: readonly string[];
}

/**
 * The rules for a library, in order of precedence (later wins, gitignore style, so a later
 * `!pattern` brings back what an earlier one left out): the built-in list, `.syncacrossignore`,
 * then `exclude` (the CLI passes its config's patterns, then the command line's). Both options are
 * asked for now, and the mount points looked at (with the disks a running watch saw mounted,
 * `seenByWatch`): the rules of a round hold what was so when it started.
 */
export function loadPathRules(libraryDir: string, excludeOption?: ExcludeOption, mountPoints?: MountPointsOption, seenByWatch: readonly string[] = []): PathRules {
  const exclude = excludeNow(excludeOption);
  const listed = mountPointsNow(mountPoints);
  const rules = patternRules(libraryDir, exclude);
  const absent = listed.length + seenByWatch.length > 0 ? outermostAbsent(absentMountPoints(libraryDir, listed, seenByWatch)) : [];
  const mounts = [...new Set([...listed, ...seenByWatch])];
  return {
    ...rules,
    ...(absent.length > 0 ? { absentMounts: absent } : {}),
    ...(exclude.length > 0 ? { excludePatterns: exclude } : {}),
    ...(mounts.length > 0 ? { mountPoints: mounts } : {}),
  };
}

function patternRules(libraryDir: string, exclude: readonly string[]): PathRules {
  const alwaysRules = ignore().add(ALWAYS_IGNORED);
  // Both patterns hold this name (matched ignoring case, as the rules are): a path without it,
  // nearly every one, is not tested against them (a scan tests each path).
  const always = (p: string) => MENTIONS_OURS.test(p) && alwaysRules.ignores(p);
  const sharedText = readSharedRules(libraryDir);
  const shared = afterBuiltins(sharedText);
  if (exclude.length === 0) return { ignores: (p) => always(p) || shared(p), excludes: () => false };
  const all = afterBuiltins(sharedText, exclude);
  return {
    ignores: (p) => always(p) || all(p),
    excludes: (p) => !always(p) && all(p) && !shared(p),
  };
}

/**
 * Whether the built-in list, then `.syncacrossignore`'s text, then `exclude` leave a path out. A
 * path no built-in pattern can match gets the same answer from the other two alone (the last
 * matching pattern decides, and a folder is only ever left out by a pattern that matches it), and
 * "no" when they hold no pattern.
 */
function afterBuiltins(sharedText: string, exclude: readonly string[] = []): (path: string) => boolean {
  const full = ignore()
    .add(BUILTIN_IGNORES)
    .add(sharedText)
    .add([...exclude]);
  const patterns = [...sharedText.split(/\r?\n/), ...exclude].filter((l) => l.trim() !== '' && !l.startsWith('#'));
  const own =
    patterns.length === 0
      ? undefined
      : ignore()
          .add(sharedText)
          .add([...exclude]);
  return (p) => (MAY_MATCH_BUILTIN.test(p) ? full.ignores(p) : own !== undefined && own.ignores(p));
}

function readSharedRules(libraryDir: string): string {
  try {
    return readFileSync(join(libraryDir, '.syncacrossignore'), 'utf8');
  } catch {
    return ''; // no user rules
  }
}
