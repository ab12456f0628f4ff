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

/** Our own state and temporary files: no pattern, not even a `!` one, brings them into a sync. */
const ALWAYS_IGNORED = ['.syncacross/', '*.syncacross-tmp-*'];
const MENTIONS_OURS = /\.syncacross/i;

/** How the scan, the watcher and the materialization tell what is outside the sync. */
export interface PathRules {
  /** Outside the sync in any way (folders with a trailing `/`). */
  ignores(path: string): boolean;
  /** Left out by this node's exclude patterns (not by the built-in list or `.syncacrossignore`). */
  excludes(path: string): boolean;
}

/**
 * The rules for a library, in order of precedence (later wins, gitignore style, so a later
 * `!pattern` brings back what an earlier one left out): the built-in list, `.syncacrossignore`,
 * then `exclude` (the CLI passes its config's patterns, then the command line's).
 */
export function loadPathRules(libraryDir: string, exclude: readonly string[] = []): PathRules {
  const alwaysRules = ignore().add(ALWAYS_IGNORED);
  // Both patterns hold this name (matched ignoring case, as the rules are): a path without it,
  // nearly every one, is not tested against them (a scan tests each path).
  const always = { ignores: (p: string) => MENTIONS_OURS.test(p) && alwaysRules.ignores(p) };
  const shared = ignore().add(BUILTIN_IGNORES).add(readSharedRules(libraryDir));
  if (exclude.length === 0) return { ignores: (p) => always.ignores(p) || shared.ignores(p), excludes: () => false };
  const all = ignore()
    .add(BUILTIN_IGNORES)
    .add(readSharedRules(libraryDir))
    .add([...exclude]);
  return {
    ignores: (p) => always.ignores(p) || all.ignores(p),
    excludes: (p) => !always.ignores(p) && all.ignores(p) && !shared.ignores(p),
  };
}

function readSharedRules(libraryDir: string): string {
  try {
    return readFileSync(join(libraryDir, '.syncacrossignore'), 'utf8');
  } catch {
    return ''; // no user rules
  }
}
