/**
 * Exclude patterns through the built binary: kept per node (`init --exclude`, `exclude add`),
 * given per run (`--exclude`, `--include`, `--exclude-from`), never a delete for the others.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncOutput } from '../src/json-output.js';
import { excludeOutput } from '../src/json-output-exclude.js';
import { cleanup, FAST, run, runJson, snapshot, tempDir, writeFiles } from './helpers.js';

let base: string;
let remote: string;
let alice: string;
let bob: string;

beforeAll(async () => {
  base = await tempDir();
  remote = join(base, 'remote');
  alice = join(base, 'alice');
  bob = join(base, 'bob');
});
afterAll(cleanup);

describe('exclude patterns', () => {
  it('init --exclude keeps patterns in the config; a run adds its own, and --include brings one back', async () => {
    await writeFiles(alice, { 'a.txt': 'a', 'x.tmp': 'tmp', 'build/out.js': 'out', 'build/keep.txt': 'keep' });
    expect((await run(['init', alice, '--remote', `fs:${remote}`, '-o', 'createRoot=true', '--name', 'alice', '--exclude', '*.tmp'])).code).toBe(0);
    expect(JSON.parse(await readFile(join(alice, '.syncacross/config.json'), 'utf8')).exclude).toEqual(['*.tmp']);
    const s = await runJson(['sync', alice, ...FAST, '--exclude', 'build/*', '--include', 'build/keep.txt']);
    expect(s.code, s.stderr).toBe(0);
    expect(syncOutput.parse(s.json).excluded).toEqual({ local: 2, remote: 0 });
    const human = await run(['sync', alice, ...FAST, '--exclude', 'build/*']);
    expect(human.stdout).toContain('excluded: 3 entries here');

    expect((await run(['init', bob, '--remote', `fs:${remote}`, '--name', 'bob'])).code).toBe(0);
    expect((await run(['sync', bob, ...FAST])).code).toBe(0);
    expect(await snapshot(bob)).toEqual({ 'a.txt': 'a', 'build/keep.txt': 'keep' });
  });

  it('a file bob excludes after syncing it is not deleted for alice, and alice’s edits do not reach bob', async () => {
    const added = await runJson(['exclude', 'add', 'build/', '-d', bob]);
    expect(excludeOutput.parse(added.json).patterns).toEqual(['build/']);
    const s = await runJson(['sync', bob, ...FAST]);
    expect(syncOutput.parse(s.json).local.deleted).toBe(0);
    await writeFile(join(alice, 'build/keep.txt'), 'edited by alice');
    expect((await run(['sync', alice, ...FAST])).code).toBe(0); // this run excludes nothing: build/out.js goes out too
    const got = await runJson(['sync', bob, ...FAST]);
    expect(syncOutput.parse(got.json).excluded.remote).toBe(2);
    expect(await snapshot(join(bob, 'build'))).toEqual({ 'keep.txt': 'keep' });
    expect(await readFile(join(alice, 'build/keep.txt'), 'utf8')).toBe('edited by alice');

    expect((await run(['exclude', 'remove', 'build/', '-d', bob])).code).toBe(0);
    expect((await run(['sync', bob, ...FAST])).code).toBe(0);
    expect(await snapshot(join(bob, 'build'))).toEqual({ 'keep.txt': 'edited by alice', 'out.js': 'out' });
  });

  it('--exclude-from reads a gitignore file; list shows every layer', async () => {
    await writeFiles(bob, { 'patterns.txt': '# mine\n*.log\n', 'debug.log': 'log', '.syncacrossignore': '*.bak\n' });
    const s = await runJson(['sync', bob, ...FAST, '--exclude-from', join(bob, 'patterns.txt')]);
    expect(syncOutput.parse(s.json).excluded.local).toBe(1);
    const list = excludeOutput.parse((await runJson(['exclude', 'list', '-d', bob])).json);
    expect(list).toMatchObject({ patterns: [], shared: ['*.bak'] });
    expect(list.builtin).toContain('.syncacross/');
    expect((await run(['sync', alice, ...FAST])).code).toBe(0);
    expect(Object.keys(await snapshot(alice))).not.toContain('debug.log');
  });

  it('bad patterns and unknown ones are usage errors (exit 2)', async () => {
    const cases = [
      { args: ['sync', bob, '--exclude', ''], message: '--exclude takes one gitignore pattern' },
      { args: ['sync', bob, '--exclude-from', join(base, 'missing')], message: 'cannot read --exclude-from' },
      { args: ['exclude', 'remove', 'never-added', '-d', bob], message: 'not an exclude pattern of this library: "never-added"' },
    ];
    for (const c of cases) {
      const r = await runJson(c.args);
      expect(r.code, c.args.join(' ')).toBe(2);
      expect(r.json.error.message).toContain(c.message);
    }
  });
});
