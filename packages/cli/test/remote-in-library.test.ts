/**
 * A folder remote inside the library it syncs (remote-in-library.ts) is left out of the sync: before,
 * each sync copied the repository's newest objects into the repository, growing every round. The
 * library's own folder as the remote is refused. Through the built binary.
 */
import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { folderPattern } from '../src/remote-in-library.js';
import { cleanup, FAST, run, runJson, snapshot, tempDir, writeFiles } from './helpers.js';

afterAll(cleanup);

describe('a folder remote inside the library', () => {
  it('is left out of the sync (said at init): syncs send nothing more, another machine gets the library alone', async () => {
    const base = await tempDir();
    const lib = join(base, 'lib');
    await writeFiles(lib, { 'notes.txt': 'notes\n', 'papers/a.pdf': 'pdf' });
    // Characters gitignore reads as patterns: the folder is still the one left out, and only it.
    const remote = join(lib, 'copies', 'back[up] #1');
    await writeFiles(lib, { 'copies/backup1/kept.txt': 'a neighbour the pattern must not match\n' });
    const init = await run(['init', lib, '--remote', `fs:${remote}`, '-o', 'createRoot=true']);
    expect(init.code, init.stderr).toBe(0);
    expect(init.stderr).toContain('the remote folder is inside the library (copies/back[up] #1): it is left out of the sync');

    const sent: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await runJson(['sync', lib, ...FAST]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.json.excluded.local).toBe(1);
      sent.push(r.json.local.added + r.json.local.changed);
    }
    expect(sent).toEqual([3, 0, 0]);

    const other = join(base, 'other');
    expect((await run(['init', other, '--remote', `fs:${remote}`])).code).toBe(0);
    expect((await run(['sync', other, ...FAST])).code).toBe(0);
    expect(await snapshot(other)).toEqual({ 'notes.txt': 'notes\n', 'papers/a.pdf': 'pdf', 'copies/backup1/kept.txt': 'a neighbour the pattern must not match\n' });
  });

  it('is found through a symbolic link to it', async () => {
    const base = await tempDir();
    const lib = join(base, 'lib');
    await writeFiles(lib, { 'notes.txt': 'notes\n' });
    mkdirSync(join(lib, 'backup'));
    symlinkSync(join(lib, 'backup'), join(base, 'link'));
    const init = await run(['init', lib, '--remote', `fs:${join(base, 'link')}`]);
    expect(init.stderr).toContain('the remote folder is inside the library (backup)');
    const r = await runJson(['sync', lib, ...FAST]);
    expect(r.json.excluded.local).toBe(1);
    expect(r.json.local.added).toBe(1);
  });

  it('the library itself as the remote is refused, and nothing is made', async () => {
    const lib = join(await tempDir(), 'lib');
    await writeFiles(lib, { 'notes.txt': 'notes\n' });
    const r = await runJson(['init', lib, '--remote', `fs:${lib}`]);
    expect(r.code).toBe(2);
    expect(r.json.error).toMatchObject({ code: 'RemoteIsLibrary', message: expect.stringContaining('is the library itself') });
    expect(existsSync(join(lib, '.syncacross'))).toBe(false);
  });

  it("escapes gitignore's special characters in the pattern", () => {
    expect(folderPattern('copies/back[up] #1')).toBe('/copies/back\\[up\\] #1/');
    expect(folderPattern('#x/!y/z*?/trailing ')).toBe('/\\#x/\\!y/z\\*\\?/trailing\\ /');
  });
});
