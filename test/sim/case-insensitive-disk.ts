/**
 * A node whose disk does not tell upper and lower case apart (`--case-insensitive`): its library
 * lives on a real exFAT mount (test/support/exfat-mount.ts), as on a USB drive, a Mac or Windows.
 * The Linux nodes write names that differ only in case (`a.txt` and `A.txt`, `d/c.txt` and
 * `D/c.txt`) and rename files changing only case; that node's user edits whatever spelling its
 * disk shows. Mounting takes a loop device and about a second, so one mount serves a whole process
 * (a campaign's worker, a test file), with a folder per schedule, and goes at exit.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { mountExfat, type ExfatMount } from '../support/exfat-mount.js';
import { canWriteFile, diskFiles } from './local-edges.js';
import type { Rng } from './rng.js';

/** Spellings the Linux nodes write besides the usual paths (a.txt, d/c.txt, d/e/f.txt). */
export const CASE_PATHS = ['A.txt', 'D/c.txt', 'd/C.txt', 'd/E/f.txt'];

export const caseKey = (path: string) => path.toLowerCase();

let mount: ExfatMount | undefined;

/**
 * A fresh folder on the process's case-insensitive disk, mounted at the first call. Throws, saying
 * why, where that is impossible: the option never runs on a disk that tells case apart.
 */
export function caseInsensitiveFolder(tag: string): string {
  if (!mount) {
    mount = mountExfat(512);
    process.once('exit', releaseCaseInsensitiveDisk);
    const probe = join(mount.dir, 'Probe');
    writeFileSync(probe, '');
    const folds = existsSync(join(mount.dir, 'PROBE'));
    rmSync(probe);
    if (!folds) throw new Error(`the exFAT mount at ${mount.dir} tells case apart: --case-insensitive cannot run here`);
  }
  return mkdtempSync(join(mount.dir, `${tag}-`));
}

/** Why this process cannot have the disk (a test skips visibly with it), or undefined: it is mounted. */
export function whyNoCaseInsensitiveDisk(): string | undefined {
  try {
    rmSync(caseInsensitiveFolder('probe'), { recursive: true });
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

/** Unmounts the process's disk, if mounted (at exit, or in a test file's afterAll). */
export function releaseCaseInsensitiveDisk(): void {
  mount?.unmount();
  mount = undefined;
}

/** `path` as this case-insensitive disk spells it: each name that exists there in its own spelling. */
export function spelledOnDisk(dir: string, path: string): string {
  const out: string[] = [];
  for (const name of path.split('/')) {
    let names: string[];
    try {
      names = readdirSync(join(dir, ...out));
    } catch {
      names = []; // not a folder (yet): the rest is spelled as given
    }
    out.push(names.find((n) => caseKey(n) === caseKey(name)) ?? name);
  }
  return out.join('/');
}

/*
 * Through FUSE the kernel matches names exactly while the disk folds case: a look-up of `d/c.txt`
 * while `d/C.txt` exists caches `d/c.txt` as that file, and once `d/C.txt` is gone a stat of
 * `d/c.txt` keeps finding it for about a second, while an open, which asks the file system, finds
 * nothing (packages/sync-core/src/local/materialize.ts, onlyInTheCache, has the engine's side).
 * The simulated user meets it like a real one: seed 7364's user deleted `d/C.txt` and then, in
 * the same second, picked `d/c.txt` to rename; the stat said it was there, the read threw ENOENT,
 * and the schedule died. A user whose open finds no file has no file; nothing here hides what the
 * engine does (the disk really holds no such file).
 */
const isMissing = (e: unknown) => (e as NodeJS.ErrnoException).code === 'ENOENT';

/** The content of the file at `abs`, or undefined where the file system holds none (whatever a stat says). */
export function readIfThere(abs: string): string | undefined {
  try {
    return readFileSync(abs, 'utf8');
  } catch (e) {
    if (isMissing(e)) return undefined;
    throw e;
  }
}

/** Whether the file system holds something at `abs` (a folder too): asked by an open, not answered from the kernel's cache of names. */
export function fileIsThere(abs: string): boolean {
  try {
    readFileSync(abs);
    return true;
  } catch (e) {
    if (isMissing(e)) return false;
    if ((e as NodeJS.ErrnoException).code === 'EISDIR') return true;
    throw e;
  }
}

/**
 * Saves `content` at `abs` (its folder exists). Where the kernel still holds the name of a file
 * gone (above), an open to write it fails ENOENT; the save then goes, as most editors' saves do,
 * through a temporary file renamed onto the name: a rename onto such a name replaces nothing
 * (tried on fuse-exfat: the file is then listed, read and stat'd as saved). All in one synchronous
 * step: no round of the engine sees the temporary file. Returns whether it took that way (traced).
 */
export function saveFile(abs: string, content: string): boolean {
  try {
    writeFileSync(abs, content);
    return false;
  } catch (e) {
    if (!isMissing(e)) throw e;
    const temporary = join(dirname(abs), `.${basename(abs)}.saving`);
    writeFileSync(temporary, content);
    renameSync(temporary, abs);
    return true;
  }
}

/**
 * A user renames a file to another spelling of the same name (`a.txt` to `A.txt`, `d/c.txt` to
 * `D/c.txt`). On a disk that tells case apart the new spelling must be free; on one that does not,
 * the result is whatever the disk then shows (renaming into `D/` there lands in `d/`: no change).
 * Returns the file's old and new path and its content, or undefined when nothing changed.
 */
export function caseRename(rng: Rng, dir: string, foldsCase: boolean): { from: string; to: string; content: string } | undefined {
  // Only the schedule's own files (never a conflict copy: the harness's users leave those alone).
  const spellings = ['a.txt', 'd/c.txt', 'd/e/f.txt', ...CASE_PATHS];
  const onDisk = Object.keys(diskFiles(dir)).filter((p) => spellings.some((q) => caseKey(q) === caseKey(p)));
  if (onDisk.length === 0) return undefined;
  const from = rng.pick(onDisk);
  const to = rng.pick(spellings.filter((q) => q !== from && caseKey(q) === caseKey(from)));
  if (!canWriteFile(dir, from) || !canWriteFile(dir, to) || (!foldsCase && existsSync(join(dir, to)))) return undefined;
  const content = readFileSync(join(dir, from), 'utf8');
  mkdirSync(join(dir, to, '..'), { recursive: true });
  renameSync(join(dir, from), join(dir, to));
  const now = foldsCase ? spelledOnDisk(dir, to) : to;
  return now === from ? undefined : { from, to: now, content };
}
