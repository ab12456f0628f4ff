/**
 * `syncacross status` names what the folder holds that no sync has taken yet (new, changed,
 * removed) and what a sync leaves alone, from stats alone: no remote request. Before, it said
 * "pending 0 versions" of a folder full of edits, which reads as "all synced".
 */
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { statusOutput } from '../src/json-output.js';
import { cleanup, run, runJson, tempDir, writeFiles } from './helpers.js';

afterAll(cleanup);

describe('status and the changes not synced yet', () => {
  // A watch that takes the connection and says nothing (its main thread busy, or hung): status
  // goes on after 2 s, and says a watch runs, not "none running"; one of an earlier release,
  // which answers that it does not know the request, runs too.
  it('a watch that does not say which folders it counts: named as running, status not held up', async () => {
    const base = await tempDir();
    const dir = join(base, 'lib');
    await writeFiles(dir, { 'a.md': 'a\n' });
    expect((await run(['init', dir, '--remote', `fs:${base}/remote`, '-o', 'createRoot=true'])).code).toBe(0);
    for (const answer of [undefined, '{"error":{"code":"InvalidArgument","message":"unknown request"}}\n']) {
      const held: Socket[] = [];
      const watch = createServer((socket) => {
        held.push(socket);
        if (answer) socket.end(answer);
      });
      await new Promise<void>((resolve) => watch.listen(join(dir, '.syncacross', 'watch.sock'), resolve));
      try {
        const started = Date.now();
        const status = await runJson(['status', dir]);
        expect(status.code, status.stderr).toBe(0);
        expect(status.json.watch).toEqual({ running: true });
        expect(Date.now() - started).toBeLessThan(10_000);
        expect((await run(['status', dir])).stdout).toContain('it did not say which folders it counts as mount points');
      } finally {
        for (const socket of held) socket.destroy();
        await new Promise((resolve) => watch.close(resolve));
      }
    }
    expect((await runJson(['status', dir])).json.watch).toEqual({ running: false });
  }, 30_000);

  it('names them, the first 20 of each kind on a terminal and all in --json', async () => {
    const base = await tempDir();
    const dir = join(base, 'lib');
    await writeFiles(dir, { 'a.md': 'a\n', 'b.md': 'b\n' });
    // An unreachable remote: status asks it nothing, so it cannot matter.
    expect((await run(['init', dir, '--remote', `fs:${base}/remote`, '-o', 'createRoot=true'])).code).toBe(0);
    expect((await run(['sync', dir])).code).toBe(0);
    const quiet = await run(['status', dir]);
    expect(quiet.code).toBe(0);
    expect(quiet.stdout).toContain('local        no change since the last sync');

    writeFileSync(join(dir, 'a.md'), 'edited\n');
    rmSync(join(dir, 'b.md'));
    mkdirSync(join(dir, 'many'));
    for (let i = 0; i < 25; i++) writeFileSync(join(dir, 'many', `n${String(i).padStart(2, '0')}.md`), `${i}\n`);
    symlinkSync('/etc/hostname', join(dir, 'link'));
    rmSync(join(base, 'remote'), { recursive: true });

    const human = await run(['status', dir]);
    expect(human.code, human.stderr).toBe(0);
    const lines = human.stdout.split('\n');
    expect(lines).toContain('local        27 not synced yet: 25 new, 1 changed, 1 removed (by size and time; `syncacross sync -n` shows what a sync would do)');
    expect(lines).toContain('  new      many/n19.md');
    expect(lines).not.toContain('  new      many/n20.md');
    expect(lines).toContain('           … and 5 more (--json lists them all)');
    expect(lines).toContain('  changed  a.md');
    expect(lines).toContain('  removed  b.md');
    expect(lines).toContain('           link: symbolic links are not synced');

    const j = await runJson(['status', dir]);
    const out = statusOutput.parse(j.json);
    expect(out.unsynced.added).toHaveLength(25);
    expect(out.unsynced).toMatchObject({ changed: ['a.md'], removed: ['b.md'], notSynced: [{ path: 'link', reason: 'symbolic links are not synced' }] });
  });
});
