/**
 * A library made inside another, or around others: the outer one syncs the inner one's files too
 * (to its own remote), so a change made there goes to both. `init` says so, either way round, with
 * the command that leaves the folder out of the outer library, and that command does what it says.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanup, FAST, run, runJson, tempDir, writeFiles } from './helpers.js';

afterAll(cleanup);

describe('a library inside another', () => {
  it('init names the outer library and how to leave the folder out of it; the command given works', async () => {
    const base = await tempDir();
    const outer = join(base, 'Library');
    const inner = join(outer, 'my papers');
    await writeFiles(outer, { 'notes.md': 'n\n', 'my papers/paper.pdf': 'p\n' });
    expect((await run(['init', outer, '--remote', `fs:${base}/outer-remote`, '-o', 'createRoot=true'])).code).toBe(0);
    const made = await run(['init', inner, '--remote', `fs:${base}/inner-remote`, '-o', 'createRoot=true']);
    expect(made.code, made.stderr).toBe(0);
    const note = `syncacross: note: this library is inside the library ${outer}, which syncs its files too, to its own remote: a change here goes to both. If that is not meant: syncacross exclude add '/my papers/' -d ${outer}`;
    expect(made.stderr).toContain(note);
    // A library elsewhere gets no such note.
    expect((await run(['init', join(base, 'apart'), '--remote', `fs:${base}/apart-remote`, '-o', 'createRoot=true'])).stderr).not.toContain('is inside the library');

    expect((await run(['exclude', 'add', '/my papers/', '-d', outer])).code).toBe(0);
    const sync = await runJson(['sync', outer, ...FAST]);
    expect(sync.code, sync.stderr).toBe(0);
    expect(sync.json.local.added).toBe(1); // notes.md only
    expect(sync.json.excluded.local).toBe(1);
  });

  it('init of a folder holding libraries names them and the command that leaves them out; that command works', async () => {
    const base = await tempDir();
    const outer = join(base, 'Home');
    await writeFiles(outer, { 'notes.md': 'n\n', 'my papers/paper.pdf': 'p\n', 'work/code/x.md': 'x\n', 'work/code/deep/y.md': 'y\n' });
    expect((await run(['init', join(outer, 'my papers'), '--remote', `fs:${base}/papers-remote`, '-o', 'createRoot=true'])).code).toBe(0);
    expect((await run(['init', join(outer, 'work', 'code'), '--remote', `fs:${base}/code-remote`, '-o', 'createRoot=true'])).code).toBe(0);
    // a library inside an inner one is that one's business: not named again
    expect((await run(['init', join(outer, 'work', 'code', 'deep'), '--remote', `fs:${base}/deep-remote`, '-o', 'createRoot=true'])).code).toBe(0);

    const made = await run(['init', outer, '--remote', `fs:${base}/home-remote`, '-o', 'createRoot=true']);
    expect(made.code, made.stderr).toBe(0);
    const note = `syncacross: note: my papers, work/code are libraries of their own, inside this one, which syncs their files too, to this remote: a change there goes to both. If that is not meant: syncacross exclude add '/my papers/' '/work/code/' -d ${outer}`;
    expect(made.stderr).toContain(note);

    expect((await run(['exclude', 'add', '/my papers/', '/work/code/', '-d', outer])).code).toBe(0);
    const sync = await runJson(['sync', outer, ...FAST]);
    expect(sync.code, sync.stderr).toBe(0);
    expect(sync.json.local.added).toBe(2); // notes.md, and work/ (holding only what is left out) as an empty folder
  });
});
