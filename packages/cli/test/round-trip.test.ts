/** Two library folders kept in sync through adapter-fs, driven only through the built binary. */
import { randomBytes } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conflictsOutput, initOutput, logOutput, statusOutput, syncOutput } from '../src/json-output.js';
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

describe('init, sync, status, log between two folders through fs', () => {
  it('creates a repository, then a second folder joins it', async () => {
    await writeFiles(alice, { 'notes/a.md': 'alpha\n', 'notes/b.md': 'bravo\n', 'photo.bin': randomBytes(300_000) });
    const a = await runJson(['init', alice, '--remote', `fs:${remote}`, '-o', 'createRoot=true', '--name', 'alice']);
    expect(a.code, a.stderr).toBe(0);
    const ai = initOutput.parse(a.json);
    expect(ai).toMatchObject({ joined: false, alreadyInitialized: false, library: alice });
    const config = JSON.parse(await readFile(join(alice, '.syncacross/config.json'), 'utf8'));
    expect(config).toEqual({ version: 1, remote: `fs:${remote}`, adapter: 'fs', options: { root: remote }, node: 'alice' }); // createRoot is for init only

    const b = await runJson(['init', bob, '--remote', `fs:${remote}`, '--name', 'bob']);
    expect(b.code, b.stderr).toBe(0);
    expect(initOutput.parse(b.json)).toMatchObject({ joined: true, repository: ai.repository });
  });

  it('sync sends alice’s files and bob receives them, with requests and bytes in --json', async () => {
    const up = await runJson(['sync', alice, ...FAST]);
    expect(up.code, up.stderr).toBe(0);
    const s = syncOutput.parse(up.json);
    expect(s.local.added).toBeGreaterThanOrEqual(3);
    expect(s.requests.putIfAbsent).toBeGreaterThanOrEqual(2); // at least one pack and one segment
    expect(s.bytesUp).toBeGreaterThan(300_000); // the photo's chunks: random bytes do not compress, and are stored as they are
    expect(s.totalRequests).toBe(Object.values(s.requests).reduce((x, y) => x + y, 0));

    const down = await runJson(['sync', bob, ...FAST]);
    expect(down.code, down.stderr).toBe(0);
    const d = syncOutput.parse(down.json);
    expect(d.downloaded.files).toBe(3);
    expect(d.bytesDown).toBeGreaterThan(0);
    expect(await snapshot(bob)).toEqual(await snapshot(alice));
  });

  it('a sync with nothing new costs at most two requests', async () => {
    const r = await runJson(['sync', bob, ...FAST]);
    expect(r.code).toBe(0);
    expect(syncOutput.parse(r.json).totalRequests).toBeLessThanOrEqual(2);
  });

  it('edits and deletes travel both ways', async () => {
    await writeFiles(bob, { 'notes/a.md': 'alpha, edited by bob\n', 'new.txt': 'from bob\n' });
    await rm(join(alice, 'notes/b.md'));
    for (const dir of [alice, bob, alice]) expect((await run(['sync', dir, ...FAST])).code).toBe(0);
    const expected = { 'notes/a.md': 'alpha, edited by bob\n', 'new.txt': 'from bob\n' };
    expect(await snapshot(alice)).toMatchObject(expected);
    expect(await snapshot(bob)).toEqual(await snapshot(alice));
    expect(Object.keys(await snapshot(alice))).not.toContain('notes/b.md');
  });

  it('status reports the library without contacting the remote', async () => {
    const r = await runJson(['status', alice]);
    expect(r.code, r.stderr).toBe(0);
    const st = statusOutput.parse(r.json);
    expect(st).toMatchObject({ files: 3, pendingVersions: 0, unuploadedSegments: 0, adapter: 'fs' });
    expect(st.lastSync).not.toBeNull();
    const human = await run(['status'], { cwd: join(alice, 'notes') }); // found from a subfolder
    expect(human.code).toBe(0);
    expect(human.stdout).toContain(`library      ${alice}`);
  });

  it('log shows the history of one file, given as typed from inside the library', async () => {
    const r = await runJson(['log', 'a.md'], { cwd: join(bob, 'notes') });
    expect(r.code, r.stderr).toBe(0);
    const log = logOutput.parse(r.json);
    expect(log.path).toBe('notes/a.md');
    expect(log.entries.map((e) => e.path)).toEqual(['notes/a.md', 'notes/a.md']);
    expect(log.entries.filter((e) => e.head)).toHaveLength(1);
    const all = logOutput.parse((await runJson(['log', '-d', bob])).json);
    expect(all.entries.some((e) => e.path === 'notes/b.md' && e.deleted)).toBe(true);
  });

  it('concurrent edits leave a conflict copy that `conflicts` lists and explains', async () => {
    await writeFiles(alice, { 'notes/a.md': 'alice’s take\n' });
    await writeFiles(bob, { 'notes/a.md': 'bob’s take\n' });
    for (const dir of [alice, bob, alice]) expect((await run(['sync', dir, ...FAST])).code).toBe(0);
    const snap = await snapshot(alice);
    expect(await snapshot(bob)).toEqual(snap);
    expect(
      Object.values(snap)
        .filter((t) => t.includes('take'))
        .sort(),
    ).toEqual(['alice’s take\n', 'bob’s take\n']);

    const c = await runJson(['conflicts', bob]);
    const listed = conflictsOutput.parse(c.json).conflicts;
    expect(listed).toHaveLength(1);
    expect(listed[0]!.conflictOf).toBe('notes/a.md');
    expect(snap[listed[0]!.path]).toBeDefined();
    const human = await run(['conflicts', bob]);
    expect(human.stdout).toContain('How to resolve');

    // Resolving: delete the copy on bob; after syncing, both sides have no conflict left.
    await rm(join(bob, listed[0]!.path));
    for (const dir of [bob, alice]) expect((await run(['sync', dir, ...FAST])).code).toBe(0);
    expect(conflictsOutput.parse((await runJson(['conflicts', alice])).json).conflicts).toEqual([]);
  });

  it('prints plain progress lines and a summary when not on a terminal', async () => {
    await writeFile(join(alice, 'more.txt'), 'more\n');
    const r = await run(['sync', alice, ...FAST]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/listing remote/);
    expect(r.stderr).not.toContain('\u001b['); // no terminal escape codes in logs
    expect(r.stdout).toMatch(/^Synced .* in [\d.]+s/);
    expect(r.stdout).toMatch(/requests: \d+ \(.*putIfAbsent \d+.*\), .* up, .* down/);
  });

  it('init again with the same remote is harmless', async () => {
    const r = await runJson(['init', alice, '--remote', `fs:${remote}`, '-o', 'createRoot=true', '--name', 'alice']);
    expect(r.code, r.stderr).toBe(0);
    expect(initOutput.parse(r.json).alreadyInitialized).toBe(true);
  });
});
