/**
 * A full local disk (a library on a tiny tmpfs) stops the sync with exit 7 and a clear message,
 * loses nothing, and the next sync after freeing space completes. Needs root to mount a tmpfs;
 * skipped, visibly, otherwise.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanup, FAST, run, runJson, tempDir, writeFiles } from './helpers.js';

function tryMount(dir: string, size: string): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const canMount = (() => {
  const probe = mkdtempSync(join(tmpdir(), 'syncacross-tmpfs-probe-'));
  const ok = tryMount(probe, '64k');
  if (ok) execFileSync('umount', [probe]);
  rmdirSync(probe);
  return ok;
})();

const mounted: string[] = [];
afterAll(async () => {
  for (const m of mounted) execFileSync('umount', [m]);
  await cleanup();
});

describe.skipIf(!canMount)('a full local disk (mounts a 2 MiB tmpfs: needs root)', () => {
  it('exits 7, keeps everything, and the next sync after freeing space completes', async () => {
    const base = await tempDir();
    const remote = join(base, 'remote');
    const alice = join(base, 'alice');
    const small = join(base, 'small');
    mkdirSync(small);
    expect(tryMount(small, '2m')).toBe(true);
    mounted.push(small);

    const big = randomBytes(4 * 1024 * 1024); // incompressible: cannot fit in 2 MiB
    await writeFiles(alice, { 'video.bin': big, 'note.md': 'small\n' });
    expect((await run(['init', alice, '--remote', `fs:${remote}`, '-o', 'createRoot=true'])).code).toBe(0);
    expect((await run(['sync', alice, ...FAST])).code).toBe(0);

    const bob = join(small, 'bob');
    expect((await run(['init', bob, '--remote', `fs:${remote}`])).code).toBe(0);
    const full = await runJson(['sync', bob, ...FAST]);
    expect(full.code, full.stderr).toBe(7);
    expect(full.json.error.code).toBe('LocalDiskFull');
    expect(full.stderr).toContain('the local disk is full');
    expect(readFileSync(join(alice, 'video.bin')).equals(big)).toBe(true);

    execFileSync('mount', ['-o', 'remount,size=32m', small]);
    const again = await run(['sync', bob, ...FAST]);
    expect(again.code, again.stderr).toBe(0);
    expect(readFileSync(join(bob, 'video.bin')).equals(big)).toBe(true);
    expect((await run(['sync', alice, ...FAST])).code).toBe(0);
    expect(readFileSync(join(alice, 'video.bin')).equals(big)).toBe(true);
  });
});
