/**
 * A library whose state database (.syncacross/state.db) is damaged (a disk error, a copy cut short)
 * or not a database at all: every command says so, names the file and what to do (exit 2, code
 * StateDamaged), and changes nothing; doing what it says (move state.db aside, init again with
 * the same remote, whose options config.json keeps) gives a library that syncs, with nothing
 * deleted anywhere. Before, a sync ended
 * with `database disk image is malformed`, exit 1 ("a bug"). A state that is missing while
 * config.json is there is told with the very init command that rebuilds it (before: "not a
 * syncacross library yet: run init first").
 */
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanup, FAST, run, runJson, snapshot, tempDir, writeFiles } from './helpers.js';

afterAll(cleanup);

async function twoMachines() {
  const base = await tempDir();
  const [alice, bob, remote] = ['alice', 'bob', 'remote'].map((d) => join(base, d)) as [string, string, string];
  await writeFiles(alice, { 'notes.txt': 'notes\n', 'papers/a.pdf': 'pdf' });
  expect((await run(['init', alice, '--remote', `fs:${remote}`, '-o', 'createRoot=true'])).code).toBe(0);
  expect((await run(['sync', alice, ...FAST])).code).toBe(0);
  expect((await run(['init', bob, '--remote', `fs:${remote}`])).code).toBe(0);
  expect((await run(['sync', bob, ...FAST])).code).toBe(0);
  return { base, alice, bob, remote };
}

describe("a library's damaged state", () => {
  it.each([
    ['cut short', (file: string) => writeFileSync(file, readFileSync(file).subarray(0, 5000))],
    ['not a database', (file: string) => writeFileSync(file, 'this is not SQLite\n'.repeat(500))],
  ])('%s: named with what to do (exit 2), nothing changed; doing it syncs again, nothing deleted', async (_name, damage) => {
    const { base, alice, bob } = await twoMachines();
    const state = join(bob, '.syncacross', 'state.db');
    damage(state);
    const damaged = readFileSync(state);
    await writeFiles(bob, { 'new-on-bob.txt': 'written after the damage\n' });

    for (const command of [
      ['sync', bob, ...FAST],
      ['status', bob],
    ]) {
      const r = await runJson(command);
      expect(r.code, r.stderr).toBe(2);
      expect(r.json.error.code).toBe('StateDamaged');
      expect(r.stderr).toContain(`the library's state, ${state}, is damaged (SQLite:`);
      expect(r.stderr).toContain('move .syncacross/state.db aside (with its -wal and -shm files, if there) and run `syncacross init`');
    }
    expect(readFileSync(state).equals(damaged)).toBe(true);

    // What the message says to do.
    for (const f of ['state.db', 'state.db-wal', 'state.db-shm']) if (existsSync(join(bob, '.syncacross', f))) renameSync(join(bob, '.syncacross', f), join(base, `aside-${f}`));
    const init = await run(['init', bob, '--remote', `fs:${join(base, 'remote')}`]);
    expect(init.code, init.stderr).toBe(0);
    const again = await runJson(['sync', bob, ...FAST]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.json.local).toMatchObject({ added: 1, deleted: 0 });
    expect((await run(['sync', alice, ...FAST])).code).toBe(0);
    const expected = { 'notes.txt': 'notes\n', 'papers/a.pdf': 'pdf', 'new-on-bob.txt': 'written after the damage\n' };
    expect(await snapshot(alice)).toEqual(expected);
    expect(await snapshot(bob)).toEqual(expected);
  });

  it('missing (config.json kept): the init command that rebuilds it, with its remote; run, it syncs, nothing deleted', async () => {
    const { alice, bob, remote } = await twoMachines();
    // Made with an option: the command given (without it) keeps it. Before, init without the
    // option was refused as "already a library synced with" that very remote.
    const config = join(bob, '.syncacross', 'config.json');
    writeFileSync(config, JSON.stringify({ ...JSON.parse(readFileSync(config, 'utf8')), options: { root: remote, publish: 'rename' } }));
    for (const f of ['state.db', 'state.db-wal', 'state.db-shm']) rmSync(join(bob, '.syncacross', f), { force: true });
    const r = await runJson(['sync', bob, ...FAST]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.json.error.code).toBe('NotInitialized');
    expect(r.stderr).toContain(`has lost its state (.syncacross/state.db is missing; config.json names fs:${remote}). Your files are safe. Run \`syncacross init ${bob} --remote fs:${remote}\``);
    const init = await run(['init', bob, '--remote', `fs:${remote}`]);
    expect(init.code, init.stderr).toBe(0);
    expect(JSON.parse(readFileSync(config, 'utf8')).options).toEqual({ root: remote, publish: 'rename' });
    const again = await runJson(['sync', bob, ...FAST]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.json.local).toMatchObject({ deleted: 0 });
    expect((await run(['sync', alice, ...FAST])).code).toBe(0);
    expect(await snapshot(alice)).toEqual({ 'notes.txt': 'notes\n', 'papers/a.pdf': 'pdf' });
    expect(await snapshot(bob)).toEqual({ 'notes.txt': 'notes\n', 'papers/a.pdf': 'pdf' });
  });
});
