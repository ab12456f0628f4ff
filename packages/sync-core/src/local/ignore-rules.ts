/**
 * What never syncs: our own state, temporary and lock files of common apps, OS junk, SQLite side
 * files (a -wal/-shm/-journal copied next to a database from another moment corrupts it), plus
 * the user's `.syncacrossignore` (gitignore syntax) at the library root.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ignore, { type Ignore } from 'ignore';

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

export function loadIgnoreRules(libraryDir: string): Ignore {
  const rules = ignore().add(BUILTIN_IGNORES);
  try {
    rules.add(readFileSync(join(libraryDir, '.syncacrossignore'), 'utf8'));
  } catch {
    // no user rules
  }
  return rules;
}
