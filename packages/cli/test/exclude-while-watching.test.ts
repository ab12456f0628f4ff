/**
 * `exclude add` while a `watch` runs (as a service does, for weeks): the command says the pattern
 * counts from the next sync on, but the watch kept the patterns it started with, and went on
 * sending what was just excluded. The watch now reads config.json at each round.
 */
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanup, FAST, run, tempDir, until, watching, writeFiles } from './helpers.js';

afterAll(cleanup);

describe('exclude while a watch runs', () => {
  it('a pattern added is not sent from the next round on, and one removed is', async () => {
    const base = await tempDir();
    const [a, b, remote] = ['a', 'b', 'remote'].map((n) => join(base, n)) as [string, string, string];
    await writeFiles(a, { 'notes.md': 'notes\n' });
    expect((await run(['init', a, '--remote', `fs:${remote}`, '-o', 'createRoot=true'])).code).toBe(0);
    expect((await run(['init', b, '--remote', `fs:${remote}`])).code).toBe(0);
    const watch = await watching(a);
    let ended;
    try {
      await until(() => watch.output().includes('sent 1 change'), 'the first round');
      expect((await run(['exclude', 'add', '*.iso', '-d', a])).code).toBe(0);
      // A round the watch starts after the change (`sync` asks it for one): none still under way with the old patterns.
      expect((await run(['sync', a])).code).toBe(0);
      await writeFile(join(a, 'disk.iso'), 'a large image\n');
      await writeFile(join(a, 'notes.md'), 'notes, edited after the pattern\n');
      await until(() => (watch.output().match(/sent 1 change/g) ?? []).length >= 2, 'the round after the pattern');
      expect((await run(['sync', b, ...FAST])).code).toBe(0);
      expect((await readdir(b)).filter((n) => !n.startsWith('.'))).toEqual(['notes.md']);
      expect((await run(['exclude', 'remove', '*.iso', '-d', a])).code).toBe(0);
      await writeFile(join(a, 'notes.md'), 'notes, edited again\n');
      // Whichever round takes it (one may have started before the pattern went): it reaches b.
      const onB = async () => (await run(['sync', b, ...FAST])).code === 0 && (await readdir(b)).includes('disk.iso');
      await until(onB, 'the image reaching the other machine once the pattern went', 30_000, 500);
    } finally {
      ended = await watch.stop(); // a failure above is the one reported
    }
    expect(ended.code).toBe(0);
    expect((await readdir(b)).filter((n) => !n.startsWith('.')).sort()).toEqual(['disk.iso', 'notes.md']);
  }, 60_000);
});
