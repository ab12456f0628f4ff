/**
 * `status` beside a running `watch` that saw a disk mounted in the library at a folder that is not
 * a mount point: while it runs, the watch counts that folder as one (its files, the disk gone, are
 * not deleted), and status asks it which folders, so it does not list them all as removed either.
 *
 * Needs real mounts (a tmpfs, bound into the library), so root; skipped, saying why, otherwise.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, FAST, run, runJson, tempDir, until, watching, writeFiles } from './helpers.js';

const quiet = { stdio: 'pipe' as const, timeout: 20_000 };
const mounted: string[] = [];

/** A tmpfs holding `files`, mounted at `target`. */
function mountDisk(target: string, files: Record<string, string>): void {
  const disk = mkdtempSync(join(tmpdir(), 'syncacross-disk-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'syncacross-test', disk], quiet);
  mounted.unshift(disk);
  for (const [path, text] of Object.entries(files)) writeFileSync(join(disk, path), text);
  execFileSync('mount', ['--bind', disk, target], quiet);
  mounted.unshift(target);
}

function cannotMount(): string | undefined {
  if (process.platform !== 'linux') return 'mounts are made with Linux commands here';
  if (process.getuid?.() !== 0) return 'mounting a tmpfs needs root';
  const probe = mkdtempSync(join(tmpdir(), 'syncacross-probe-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'syncacross-test', probe], quiet);
    execFileSync('umount', [probe], quiet);
    return undefined;
  } catch (e) {
    return `cannot mount a tmpfs: ${(e as Error).message}`;
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
}

afterEach(async () => {
  for (const dir of mounted.splice(0)) execFileSync('umount', ['-l', dir], quiet); // the bind before its disk
  await cleanup();
});

const why = cannotMount();

describe.skipIf(why)(`status beside a watch that saw a disk${why ? `: skipped, ${why}` : ''}`, () => {
  it('the folder of a disk the watch saw is not listed as removed once the disk goes; status names the watch and the folder', async () => {
    const base = await tempDir();
    const a = join(base, 'a');
    await writeFiles(a, { 'note.md': 'the rest of the library\n' });
    expect((await run(['init', a, '--remote', `fs:${join(base, 'remote')}`, '-o', 'createRoot=true'])).code).toBe(0);
    expect((await run(['sync', a, ...FAST])).code).toBe(0);
    expect((await runJson(['status', a])).json.watch).toEqual({ running: false });

    mkdirSync(join(a, 'photos'));
    mountDisk(join(a, 'photos'), { 'p1.jpg': 'a photo\n', 'p2.jpg': 'another\n' });
    const watch = await watching(a);
    try {
      await until(() => watch.output().includes('a disk is mounted at photos'), 'the disk said');
      expect((await run(['sync', a])).code).toBe(0); // a round of the watch's: the photos are synced
      for (const dir of mounted.splice(0)) execFileSync('umount', [dir], quiet);
      const status = await runJson(['status', a]);
      expect(status.code, status.stderr).toBe(0);
      expect(status.json.watch).toEqual({ running: true, seenMounted: ['photos'] });
      expect(status.json.unsynced.removed).toEqual([]);
      expect(status.json.unsynced.notSynced).toEqual([{ path: 'photos', reason: expect.stringContaining('a disk this watch saw mounted') }]);
      const said = await run(['status', a]);
      expect(said.stdout).toContain('watch        running: it syncs changes as they happen');
      expect(said.stdout).toContain('it saw a disk mounted at photos, not a mount point of the library');
    } finally {
      await watch.stop();
    }
    // With no watch, nothing counts photos as a mount point: a sync would take its files for deleted, and status says so.
    const after = await runJson(['status', a]);
    expect(after.json.watch).toEqual({ running: false });
    expect(after.json.unsynced.removed).toEqual(['photos/p1.jpg', 'photos/p2.jpg']);
  }, 60_000);
});
