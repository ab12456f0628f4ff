/**
 * Whether the library's file system tells upper and lower case apart. macOS and Windows folders,
 * and exFAT or FAT drives anywhere, do not: `Notes.txt` and `notes.txt` (two files made on a
 * Linux node) would be one file there. Probed, not guessed from the platform: a Linux machine
 * can hold its library on an exFAT drive, a Mac on a case-sensitive volume.
 */
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Writes a probe in the library folder itself (named like a temporary file, so the scan ignores it) and looks for it in upper case. */
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
