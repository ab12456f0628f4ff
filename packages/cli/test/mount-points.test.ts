/**
 * `syncacross mount-point add|remove|list`: a folder that is another disk (a clinic's scans share)
 * is left alone while it is not mounted, whatever share of the library it holds: `sync` exits 8 and
 * names it, `status` says so, nothing is deleted on the other machine, and what that machine changed
 * there is written once the disk is back.
 */
import { mkdir, readdir, readFile, rename, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanup, FAST, run, runJson, tempDir, until, watching, writeFiles } from './helpers.js';

afterAll(cleanup);

/** Two machines of one folder remote: 30 notes and 3 scans, far under the held-deletions guard. */
async function twoSynced(): Promise<{ a: string; b: string; base: string }> {
  const base = await tempDir();
  const [a, b, remote] = ['a', 'b', 'remote'].map((n) => join(base, n)) as [string, string, string];
  const files: Record<string, string> = { 'scans/1.pdf': 'scan 1\n', 'scans/2.pdf': 'scan 2\n', 'scans/3.pdf': 'scan 3\n' };
  for (let i = 0; i < 30; i++) files[`notes/${i}.md`] = `note ${i}\n`;
  await writeFiles(a, files);
  expect((await run(['init', a, '--remote', `fs:${remote}`, '-o', 'createRoot=true'])).code).toBe(0);
  expect((await run(['sync', a, ...FAST])).code).toBe(0);
  expect((await run(['init', b, '--remote', `fs:${remote}`])).code).toBe(0);
  expect((await run(['sync', b, ...FAST])).code).toBe(0);
  return { a, b, base };
}

describe('mount points', () => {
  it('an unmounted disk is named, deletes nothing, and takes in what waited once it is back', async () => {
    const { a, b, base } = await twoSynced();
    const added = await runJson(['mount-point', 'add', 'scans/', '-d', a]);
    expect(added.code, added.stderr).toBe(0);
    expect(added.json.mountPoints).toEqual([{ path: 'scans', mounted: true }]);
    expect(JSON.parse(await readFile(join(a, '.syncacross/config.json'), 'utf8')).mountPoints).toEqual(['scans']);

    await rename(join(a, 'scans'), join(base, 'disk')); // unmounted: the mount point stays, empty
    await mkdir(join(a, 'scans'));
    expect((await run(['mount-point', '-d', a])).stdout).toContain('scans  not there: a sync leaves it alone');
    const status = await runJson(['status', a]);
    expect(status.json.unsynced.removed).toEqual([]);
    expect(status.json.unsynced.notSynced).toEqual([{ path: 'scans', reason: expect.stringContaining('a mount point that is an empty folder (not mounted?)') }]);
    const away = await run(['sync', a, ...FAST]);
    expect(away.code, away.stderr).toBe(8);
    expect(away.stderr).toContain('not synced: scans: a mount point that is an empty folder (not mounted?): nothing at or below it was synced, in either direction');

    await writeFile(join(b, 'scans/4.pdf'), 'scan 4, made on b\n');
    expect((await run(['sync', b, ...FAST])).code).toBe(0);
    expect(await readdir(join(b, 'scans'))).toEqual(['1.pdf', '2.pdf', '3.pdf', '4.pdf']); // nothing deleted there
    const waiting = await runJson(['sync', a, ...FAST]);
    expect(waiting.json).toMatchObject({ exitCode: 8, awaitingMount: 1, skipped: [{ path: 'scans' }] });
    expect(await readdir(join(a, 'scans'))).toEqual([]); // not written onto the disk below

    await rmdir(join(a, 'scans'));
    await rename(join(base, 'disk'), join(a, 'scans')); // mounted again
    const back = await runJson(['sync', a, ...FAST]);
    expect(back.code, back.stderr).toBe(0);
    expect(back.json).toMatchObject({ awaitingMount: 0, skipped: [], remote: { added: 1, changed: 0, deleted: 0 } });
    expect(await readdir(join(a, 'scans'))).toEqual(['1.pdf', '2.pdf', '3.pdf', '4.pdf']);
  }, 60_000);

  // A watch run as a service is started once: a mount point added afterwards counted only from
  // its next start, and until then an unmounted disk was deleted everywhere without a word.
  it('a mount point added while a watch runs counts from its next round', async () => {
    const { a, b, base } = await twoSynced();
    const watch = await watching(a);
    let ended;
    try {
      expect((await run(['mount-point', 'add', 'scans', '-d', a])).code).toBe(0);
      // A round the watch starts after the change (`sync` asks it for one): none still under way without it.
      expect((await run(['sync', a])).code).toBe(0);
      await rename(join(a, 'scans'), join(base, 'disk'));
      await mkdir(join(a, 'scans'));
      await writeFile(join(a, 'notes/0.md'), 'edited: a round\n');
      await until(() => watch.output().includes('not synced: scans: a mount point that is an empty folder'), 'the watch leaving the disk alone');
    } finally {
      ended = await watch.stop(); // a failure above is the one reported
    }
    expect(ended.code).toBe(0);
    expect((await run(['sync', b, ...FAST])).code).toBe(0);
    expect(await readdir(join(b, 'scans'))).toEqual(['1.pdf', '2.pdf', '3.pdf']);
  }, 60_000);

  it('add refuses what cannot be one, and remove takes it back', async () => {
    const { a } = await twoSynced();
    for (const [bad, why] of [
      ['nope', 'no such folder in the library'],
      ['notes/0.md', 'not a folder in the library'],
      ['notes/0.md/inside', 'no such folder in the library'], // ENOTDIR, not a crash
      ['/etc', 'not inside the library'],
      ['.syncacross', 'inside the state folder'],
    ] as const) {
      const refused = await runJson(['mount-point', 'add', bad, '-d', a]);
      expect(refused.code, bad).toBe(2);
      expect(refused.json.error.code).toBe('BadMountPoint');
      expect(refused.json.error.message).toContain(why);
    }
    expect((await runJson(['mount-point', 'remove', 'scans', '-d', a])).json.error.code).toBe('UnknownMountPoint');
    expect((await run(['mount-point', 'add', join(a, 'notes'), '-d', a])).code).toBe(0); // a path to the folder is taken as its library path
    const removed = await runJson(['mount-point', 'remove', './notes/', '-d', a]);
    expect(removed.json.mountPoints).toEqual([]);
    expect(JSON.parse(await readFile(join(a, '.syncacross/config.json'), 'utf8')).mountPoints).toBeUndefined();
    // One written into config.json by hand is refused where it is read, naming the file and the entry.
    const config = JSON.parse(await readFile(join(a, '.syncacross/config.json'), 'utf8'));
    await writeFile(join(a, '.syncacross/config.json'), JSON.stringify({ ...config, mountPoints: ['../elsewhere'] }));
    const bad = await runJson(['sync', a, ...FAST]);
    expect(bad.json.error).toMatchObject({ code: 'BadConfig', exitCode: 2, message: expect.stringMatching(/config\.json: mountPoints\.0: mount point "\.\.\/elsewhere": has a "\.\." segment/) });
  }, 60_000);
});
