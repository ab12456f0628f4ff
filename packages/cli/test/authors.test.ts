/**
 * `log` says who made each version: the person (set once per machine, at init or with `config
 * set user`) and the machine, on every node; filtered by author and time. Real CLI processes,
 * each "machine" with its own config folder.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { checkJsonSchema } from './json-schema-check.js';
import { cleanup, FAST, run, runJson, tempDir, writeFiles } from './helpers.js';

afterAll(cleanup);
const schema = JSON.parse(readFileSync(fileURLToPath(new URL('../schema/json-output.schema.json', import.meta.url)), 'utf8')) as { $defs: Record<string, object> };

async function machine() {
  const config = await tempDir('syncacross-machine-');
  return { env: { SYNCACROSS_CONFIG_DIR: config } };
}

type Entry = { path: string; time: string; writer: string; author?: { user: string; machine: string } };

describe('who made each version', () => {
  it('every node names the person and machine; log filters by author and time', async () => {
    const base = await tempDir();
    const remote = `fs:${join(base, 'remote')}`;
    const [office, home] = [await machine(), await machine()];
    const a = join(base, 'a');
    const b = join(base, 'b');
    await writeFiles(a, { 'notes/ideas.md': 'first idea' });
    const init = await runJson(['init', a, '--remote', remote, '-o', 'createRoot=true', '--name', 'office-pc', '--user', 'Ana Lima'], office);
    expect(init.code, init.stderr).toBe(0);
    expect(init.json.author).toEqual({ user: 'Ana Lima', machine: 'office-pc' });
    expect(checkJsonSchema(schema.$defs.init!, init.json)).toEqual([]);
    expect((await run(['sync', a, ...FAST], office)).code).toBe(0);

    // The other machine sets its name afterwards, for all its libraries.
    const set = await runJson(['config', 'set', 'user', 'Ben Okafor'], home);
    expect(set.code, set.stderr).toBe(0);
    expect(set.json).toMatchObject({ command: 'config', action: 'set', key: 'user', value: 'Ben Okafor' });
    expect(checkJsonSchema(schema.$defs.config!, set.json)).toEqual([]);
    expect((await runJson(['config', 'get', 'user'], home)).json.value).toBe('Ben Okafor');
    expect((await run(['init', b, '--remote', remote, '--name', 'home-laptop'], home)).code).toBe(0);
    await writeFiles(b, { 'paper.md': 'draft' });
    expect((await run(['sync', b, ...FAST], home)).code).toBe(0);
    expect((await run(['sync', a, ...FAST], office)).code).toBe(0);

    for (const [dir, m] of [
      [a, office],
      [b, home],
    ] as const) {
      const log = await runJson(['log', '-d', dir], m);
      expect(checkJsonSchema(schema.$defs.log!, log.json)).toEqual([]);
      const byPath = Object.fromEntries((log.json.entries as Entry[]).map((e) => [e.path, e.author]));
      expect(byPath).toEqual({ 'notes/ideas.md': { user: 'Ana Lima', machine: 'office-pc' }, 'paper.md': { user: 'Ben Okafor', machine: 'home-laptop' } });
    }
    const text = await run(['log', '-d', a], office);
    expect(text.stdout + text.stderr).toContain('Ana Lima (office-pc)');
    expect(text.stdout + text.stderr).toContain('Ben Okafor (home-laptop)');

    // By author (any part, any case), by folder, by time.
    const bens = (await runJson(['log', '-d', a, '--author', 'ben'], office)).json.entries as Entry[];
    expect(bens.map((e) => e.path)).toEqual(['paper.md']);
    expect(((await runJson(['log', '-d', a, '--author', 'OFFICE'], office)).json.entries as Entry[]).map((e) => e.path)).toEqual(['notes/ideas.md']);
    expect(((await runJson(['log', '-d', a, 'notes'], office)).json.entries as Entry[]).map((e) => e.path)).toEqual(['notes/ideas.md']);
    const all = (await runJson(['log', '-d', a], office)).json.entries as Entry[];
    const second = all[1]!;
    expect(((await runJson(['log', '-d', a, '--since', second.time], office)).json.entries as Entry[]).map((e) => e.path)).toEqual([second.path]);
    expect(((await runJson(['log', '-d', a, '--until', all[0]!.time], office)).json.entries as Entry[]).map((e) => e.path)).toEqual([all[0]!.path]);
    const none = await run(['log', '-d', a, '--author', 'nobody'], office);
    expect(none.code).toBe(0);
    expect(none.stdout + none.stderr).toContain('no version matches');
    const badTime = await runJson(['log', '-d', a, '--since', 'yesterday-ish'], office);
    expect(badTime.code).toBe(2);
  });

  it('a name is checked before it is kept; unset falls back to the account name', async () => {
    const m = await machine();
    const bad = await runJson(['config', 'set', 'user', 'Eve\u001b[31m'], m);
    expect(bad.code).toBe(2);
    expect(bad.json.error.message).toMatch(/without control characters/);
    expect((await runJson(['config', 'get', 'user'], m)).json.value).toBeNull();
    const unknown = await runJson(['config', 'set', 'colour', 'blue'], m);
    expect(unknown.code).toBe(2);
    expect(unknown.json.error.message).toMatch(/unknown setting "colour"/);
    expect((await runJson(['config', 'set', 'user', 'Ana'], m)).json.value).toBe('Ana');
    const unset = await runJson(['config', 'unset', 'user'], m);
    expect(unset.json.value).toBeNull();
    expect(checkJsonSchema(schema.$defs.config!, unset.json)).toEqual([]);
  });
});
