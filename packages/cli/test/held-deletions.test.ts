/**
 * Most of a library gone from this disk at once (the disk under a folder not mounted) is not
 * deleted everywhere: `sync` exits 8, names the first paths and counts the rest, and says how to
 * confirm; `sync --confirm-deletions` publishes them, through a running `watch` too.
 */
import { mkdir, readdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanup, FAST, run, runJson, tempDir, until, watching, writeFiles } from './helpers.js';

afterAll(cleanup);

async function twoSynced(): Promise<{ a: string; b: string }> {
  const base = await tempDir();
  const [a, b, remote] = ['a', 'b', 'remote'].map((n) => join(base, n)) as [string, string, string];
  const files: Record<string, string> = { 'notes.md': 'notes\n' };
  for (let i = 0; i < 25; i++) files[`scans/${String(i).padStart(2, '0')}.txt`] = `scan ${i}\n`;
  await writeFiles(a, files);
  expect((await run(['init', a, '--remote', `fs:${remote}`, '-o', 'createRoot=true'])).code).toBe(0);
  expect((await run(['sync', a, ...FAST])).code).toBe(0);
  expect((await run(['init', b, '--remote', `fs:${remote}`])).code).toBe(0);
  expect((await run(['sync', b, ...FAST])).code).toBe(0);
  return { a, b };
}

describe('deletions held back', () => {
  it('sync exits 8 and says why; --confirm-deletions deletes them everywhere', async () => {
    const { a, b } = await twoSynced();
    await rename(join(a, 'scans'), join(a, '..', 'scans-aside')); // the disk under scans/ is not mounted
    await mkdir(join(a, 'scans'));
    const status = await runJson(['status', a]);
    expect(status.json.unsynced).toMatchObject({ deletionsHeld: true });
    expect(status.json.unsynced.removed).toHaveLength(25);
    expect((await run(['status', a])).stdout).toContain('so many removed at once that a sync holds their deletions back (exit 8)');
    const held = await run(['sync', a, ...FAST]);
    expect(held.code, held.stderr).toBe(8);
    expect(held.stderr).toContain("not synced: scans/00.txt: gone from this disk, its deletion held back: 25 of the library's 26 files and folders went at once");
    expect(held.stderr.match(/not synced: scans\/\d+\.txt/g)).toHaveLength(10); // the first ten named, the rest counted
    expect(held.stderr).toMatch(/not synced: 15 more paths \(-v names them\): gone from this disk/);
    // The note comes after the paths, so the advice is the last thing on the screen.
    expect(held.stderr.trimEnd().split('\n').pop()).toMatch(/^syncacross: note: 25 of the library's 26 files and folders are gone .* run `syncacross sync --confirm-deletions`/);
    const verbose = await run(['sync', a, '-v', ...FAST]);
    expect(verbose.stderr.match(/not synced: scans\/\d+\.txt/g)).toHaveLength(25);
    const json = await runJson(['sync', a, ...FAST]);
    expect(json.json.exitCode).toBe(8);
    expect(json.json.skipped).toHaveLength(25);
    expect(json.json.heldDeletions).toBe(25);
    expect((await run(['sync', b, ...FAST])).code).toBe(0);
    expect(await readdir(join(b, 'scans'))).toHaveLength(25);

    const confirmed = await runJson(['sync', a, '--confirm-deletions', ...FAST]);
    expect(confirmed.code, confirmed.stderr).toBe(0);
    expect(confirmed.json.local.deleted).toBe(25);
    expect((await runJson(['status', a])).json.unsynced).toMatchObject({ removed: [], deletionsHeld: false });
    expect((await run(['sync', b, ...FAST])).code).toBe(0);
    expect((await readdir(join(b, 'scans')).catch(() => [])).length).toBe(0);
  }, 60_000);

  it('a running watch holds them back too, and takes the confirmation from sync', async () => {
    const { a, b } = await twoSynced();
    const watch = await watching(a);
    let ended;
    try {
      // In one step, as a disk goes: an `rm -r` racing the watch's round is seen a part at a time,
      // each part too few to hold back (and then published, as a person deleting them meant).
      await rename(join(a, 'scans'), join(a, '..', 'scans-aside'));
      await until(() => watch.output().includes('--confirm-deletions'), 'the watch holding the deletions back');
      expect(watch.output()).toMatch(/not synced: 15 more paths/);
      // The next round (an edit) says in one line that they still wait, not the paths and the note again.
      await writeFile(join(a, 'notes.md'), 'notes, edited while the deletions wait\n');
      await until(() => watch.output().includes('still: 25 path(s) not synced'), 'the next round');
      expect(watch.output().match(/not synced: 15 more paths/g)).toHaveLength(1);
      expect(watch.output().match(/--confirm-deletions/g)).toHaveLength(1);
      expect(watch.output()).toMatch(/still: 25 path\(s\) not synced, for the reasons said at \d\d:\d\d:\d\d; 1 note\(s\) said before/);
      const sync = await run(['sync', a, '--confirm-deletions']);
      expect(sync.code, sync.stderr).toBe(0);
      expect(sync.stdout).toMatch(/a `syncacross watch` of .* is running: it made this round/);
      expect(sync.stdout).toMatch(/sent: +0 added, 0 changed, 25 deleted/);
    } finally {
      ended = await watch.stop(); // a failure above is the one reported
    }
    expect(ended.code).toBe(0);
    expect((await run(['sync', b, ...FAST])).code).toBe(0);
    expect((await readdir(join(b, 'scans')).catch(() => [])).length).toBe(0);
  }, 60_000);
});
