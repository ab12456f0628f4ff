/**
 * `syncacross watch`: real child processes over a folder remote. An edit in one watched library
 * reaches another without anyone running sync; `sync` while watch runs asks it for a round;
 * `status` reads beside it; Ctrl-C and SIGTERM stop it with exit 0; --json gives one object per
 * round in the published shape. Over the S3 emulator too, with a bound on how soon an edit
 * crosses.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { serveFetchHandler } from '@syncacross/sync-core/http';
import { createS3Emulator } from '@syncacross/adapter-s3/emulator';
import { checkJsonSchema } from './json-schema-check.js';
import { cleanup, finish, run, runJson, start, tempDir, until, writeFiles } from './helpers.js';

afterAll(cleanup);

const schema = JSON.parse(readFileSync(fileURLToPath(new URL('../schema/json-output.schema.json', import.meta.url)), 'utf8')) as { $defs: Record<string, object> };

async function twoLibraries(): Promise<{ a: string; b: string }> {
  const base = await tempDir();
  const remote = join(base, 'remote');
  const a = join(base, 'a');
  const b = join(base, 'b');
  await writeFiles(a, { 'start.md': 'start\n' });
  expect((await run(['init', a, '--remote', `fs:${remote}`, '-o', 'createRoot=true', '--name', 'alice'])).code).toBe(0);
  expect((await run(['init', b, '--remote', `fs:${remote}`, '--name', 'bob'])).code).toBe(0);
  return { a, b };
}

describe('syncacross watch', () => {
  it('keeps two libraries in sync from one process; sync and status work beside it; Ctrl-C exits 0', async () => {
    const { a, b } = await twoLibraries();
    const watcher = start(['watch', a, b, '--interval', '1', '--settle', '200']);
    const done = finish(watcher);
    let stdout = '';
    watcher.stdout!.on('data', (d) => (stdout += d));
    try {
      await until(() => (stdout.match(/watching /g) ?? []).length === 2, 'both libraries watched');
      await until(async () => (await readFile(join(b, 'start.md'), 'utf8').catch(() => '')) === 'start\n', 'the first rounds');

      const written = Date.now();
      await writeFile(join(a, 'notes.md'), 'written on a\n');
      await until(async () => (await readFile(join(b, 'notes.md'), 'utf8').catch(() => '')) === 'written on a\n', 'the edit on b', 15_000);
      const took = Date.now() - written - 200;
      expect(took).toBeLessThan(5_000); // after the 0.2 s settle: a round on each side (b looks every second)
      expect(stdout).toMatch(/sent 1 change/);

      // While the watch owns both libraries: status reads, and sync asks the watch for a round.
      const status = await runJson(['status', b]);
      expect(status.code, status.stderr).toBe(0);
      expect(status.json.files).toBe(2);
      expect(status.json.watch).toEqual({ running: true, seenMounted: [] }); // it asked the watch
      await writeFile(join(a, 'more.md'), 'more\n');
      const sync = await run(['sync', a]);
      expect(sync.code, sync.stderr).toBe(0);
      expect(sync.stdout).toMatch(/a `syncacross watch` of .* is running: it made this round/);
      // That round, or the one the change started as it settled, took it: it is in the tree now.
      expect((await runJson(['status', a])).json.files).toBe(3);
    } finally {
      watcher.kill('SIGINT');
    }
    const r = await done;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.match(/stopped watching/g)).toHaveLength(2);
  }, 60_000);

  // A library named twice (a folder in it, or the same one as -d) was watched twice, and the
  // second watcher stopped both: "being synced by another process" (its own pid), exit 6.
  it('takes libraries as -d too, and watches each once however it is named', async () => {
    const { a, b } = await twoLibraries();
    await writeFiles(a, { 'papers/p.md': 'p\n' });
    const watcher = start(['watch', a, '-d', b, '--dir', join(a, 'papers'), '-d', `${a}/`, '--interval', '1']);
    const done = finish(watcher);
    let stdout = '';
    watcher.stdout!.on('data', (d) => (stdout += d));
    try {
      await until(() => (stdout.match(/watching /g) ?? []).length === 2, 'both libraries watched');
      await until(async () => (await readFile(join(b, 'papers', 'p.md'), 'utf8').catch(() => '')) === 'p\n', 'the first rounds');
    } finally {
      watcher.kill('SIGINT');
    }
    const r = await done;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.match(/^\S+ watching /gm)).toHaveLength(2);
    expect(r.stdout.match(/stopped watching/g)).toHaveLength(2);
  }, 60_000);

  it('--json: one object per round, in the published shape; SIGTERM exits 0', async () => {
    const { a } = await twoLibraries();
    const watcher = start(['--json', 'watch', a, '--interval', '1']);
    const done = finish(watcher);
    let stdout = '';
    watcher.stdout!.on('data', (d) => (stdout += d));
    await until(() => stdout.split('\n').filter(Boolean).length >= 1, 'the first round');
    await writeFile(join(a, 'new.md'), 'new\n'); // a look at the remote with nothing new is no round: a change makes one
    await until(() => stdout.split('\n').filter(Boolean).length >= 2, 'a second round');
    watcher.kill('SIGTERM');
    const r = await done;
    expect(r.code, r.stderr).toBe(0);
    const rounds = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    for (const round of rounds) {
      expect(round.command).toBe('watch');
      expect(checkJsonSchema(schema.$defs.watch!, round)).toEqual([]);
    }
  }, 60_000);

  it('over an S3 emulator, two machines each running watch: an edit on one is on the other within 5 s of settling', async () => {
    const emulator = await serveFetchHandler(createS3Emulator({ buckets: ['notes'] }).handle, { port: 0, host: '127.0.0.1' });
    const env = { AWS_ACCESS_KEY_ID: 'test-key', AWS_SECRET_ACCESS_KEY: 'test-secret' };
    const base = await tempDir();
    const [a, b] = [join(base, 'a'), join(base, 'b')];
    const remote = ['--remote', 's3:notes/library', '-o', `endpoint=${emulator.url.replace(/\/+$/, '')}`];
    for (const [dir, name] of [
      [a, 'alice'],
      [b, 'bob'],
    ] as const)
      expect((await run(['init', dir, ...remote, '--name', name], { env })).code).toBe(0);
    const settleMs = 200;
    const watchers = [a, b].map((dir) => start(['watch', dir, '--interval', '1', '--settle', String(settleMs)], { env }));
    const done = watchers.map(finish);
    try {
      await until(async () => (await runJson(['status', b], { env })).json.lastSync !== null, 'the first round on b');
      const written = Date.now();
      await writeFile(join(a, 'notes.md'), 'written on a\n');
      await until(async () => (await readFile(join(b, 'notes.md'), 'utf8').catch(() => '')) === 'written on a\n', 'the edit on b', 30_000);
      const took = Date.now() - written - settleMs;
      console.log(`over the S3 emulator: on b ${took} ms after the edit settled on a`);
      expect(took).toBeLessThan(5_000); // a's round, b's next look (1 s), b's round
    } finally {
      for (const w of watchers) w.kill('SIGTERM');
      await emulator.close();
    }
    for (const r of await Promise.all(done)) expect(r.code, r.stderr).toBe(0);
  }, 90_000);

  it('a folder that is not a library: exit 2, said plainly', async () => {
    const r = await run(['watch', await tempDir()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not a syncacross library|init/);
  });
});
