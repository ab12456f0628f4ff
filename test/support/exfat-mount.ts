/**
 * A real case-insensitive disk for tests: an exFAT image on a loop device, mounted through
 * fuse-exfat. It needs root (`mount.exfat-fuse` refuses a plain file: "Block device required"),
 * `mkfs.exfat`, `losetup` and FUSE. Used by the engine's unit test and by the simulation
 * (`--case-insensitive`); each says what to do when the mount is impossible.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ExfatMount {
  /** The mounted folder: names there are matched without regard to case. */
  dir: string;
  unmount(): void;
}

const quiet = { stdio: 'pipe' as const, timeout: 20_000 };

/** Mounts a fresh exFAT image of `sizeMb` (sparse); throws, saying why, when this machine cannot. */
export function mountExfat(sizeMb = 32): ExfatMount {
  if (process.getuid?.() !== 0) throw new Error('mounting an exFAT image needs root (a loop device and fuse-exfat)');
  const base = mkdtempSync(join(tmpdir(), 'syncacross-exfat-'));
  const img = join(base, 'img');
  const mnt = join(base, 'mnt');
  let loop: string | undefined;
  try {
    execFileSync('truncate', ['-s', `${sizeMb}M`, img], quiet);
    execFileSync('mkfs.exfat', [img], quiet);
    loop = execFileSync('losetup', ['-f', '--show', img], quiet).toString().trim();
    mkdirSync(mnt);
    execFileSync('mount.exfat-fuse', [loop, mnt], quiet);
  } catch (e) {
    if (loop) execFileSync('losetup', ['-d', loop], quiet);
    rmSync(base, { recursive: true, force: true });
    const stderr = (e as { stderr?: Buffer }).stderr?.toString().trim();
    throw new Error(`could not mount an exFAT image: ${stderr || (e as Error).message}`, { cause: e });
  }
  return {
    dir: mnt,
    unmount() {
      execFileSync('fusermount', ['-uz', mnt], quiet); // lazily: a failed test may leave a library open
      execFileSync('losetup', ['-d', loop!], quiet);
      rmSync(base, { recursive: true, force: true });
    },
  };
}

/** The mount, or why there is none (a test skips visibly with that reason). */
export function tryMountExfat(sizeMb?: number): ExfatMount | string {
  try {
    return mountExfat(sizeMb);
  } catch (e) {
    return (e as Error).message;
  }
}
