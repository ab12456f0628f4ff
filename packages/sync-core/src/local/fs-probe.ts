/**
 * What the library's file system can hold, probed rather than guessed from the platform (a Linux
 * machine can hold its library on an exFAT drive, a Mac on a case-sensitive volume):
 * - whether it tells upper and lower case apart. macOS and Windows folders, and exFAT or FAT
 *   drives anywhere, do not: `Notes.txt` and `notes.txt` (made on a Linux node) are one file there;
 * - whether it keeps permission bits. exFAT and FAT do not (every file reads as 0777 on Linux):
 *   the executable bit read there is no edit of the user's.
 * Each probe is a file named like our temporary files, so the scan ignores it (and removes it if
 * a crash left it behind).
 */
import { chmodSync, existsSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Writes a probe in the library folder itself and looks for it in upper case. */
export function foldsCase(dir: string): boolean {
  const name = `.case-probe.syncacross-tmp-${process.pid}`;
  const probe = join(dir, name);
  try {
    writeFileSync(probe, '');
  } catch {
    return false; // a folder this node cannot write to: nothing will be written there either
  }
  try {
    return existsSync(join(dir, name.toUpperCase()));
  } finally {
    rmSync(probe, { force: true });
  }
}

/** The key under which paths are one file on such a file system. */
export const caseKey = (path: string): string => path.toLowerCase();

/**
 * The spelling `path` (relative, `/`-separated) has on a disk that folds case, read from each
 * folder's listing on the way (a stat would answer for any spelling); undefined where a name on the
 * way is not there.
 */
export function spellingOnDisk(root: string, path: string): string | undefined {
  return diskSpeller(root)(path);
}

/**
 * `spellingOnDisk` for many paths at once: each folder is listed once and its listing kept, so the
 * answers are those of one moment; make a new speller for a later one.
 */
export function diskSpeller(root: string): (path: string) => string | undefined {
  const listings = new Map<string, Map<string, string> | undefined>();
  const list = (dir: string): Map<string, string> | undefined => {
    try {
      const byKey = new Map<string, string>();
      for (const name of readdirSync(join(root, dir))) if (!byKey.has(caseKey(name))) byKey.set(caseKey(name), name); // the first, as a listing shows it
      return byKey;
    } catch {
      return undefined;
    }
  };
  const listing = (dir: string) => {
    if (!listings.has(dir)) listings.set(dir, list(dir));
    return listings.get(dir);
  };
  return (path) => {
    let dir = '';
    for (const part of path.split('/')) {
      const found = listing(dir)?.get(caseKey(part));
      if (found === undefined) return undefined;
      dir = dir === '' ? found : `${dir}/${found}`;
    }
    return dir;
  };
}

/** Writes a probe in the library folder, makes it not executable, and reads the bits back. */
export function keepsModes(dir: string): boolean {
  const probe = join(dir, `.mode-probe.syncacross-tmp-${process.pid}`);
  try {
    writeFileSync(probe, '');
    chmodSync(probe, 0o644);
    return (statSync(probe).mode & 0o111) === 0;
  } catch {
    return true; // a folder this node cannot write to: read the bits as they are
  } finally {
    rmSync(probe, { force: true });
  }
}
