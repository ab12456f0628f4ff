/**
 * A node's exclude patterns (`LibraryOptions.exclude`) leave paths out in both directions, and
 * leaving a path out is never a delete: the other nodes keep what this node stopped looking at.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryStorage } from '@syncacross/sync-core/testing';
import { loadPathRules } from '../../src/local/ignore-rules.js';
import { cleanup, makeNode, snapshot } from './helpers.js';

afterEach(cleanup);

describe('exclude patterns', () => {
  it('a synced file that becomes excluded is not published as deleted, and later changes stay on their side', async () => {
    const remote = createMemoryStorage();
    const a = await makeNode(remote, 'a');
    await writeFile(join(a.dir, 'notes.txt'), 'notes');
    await writeFile(join(a.dir, 'debug.log'), 'v1');
    await a.sync();
    const b = await makeNode(remote, 'b');
    await b.sync();
    expect(await readFile(join(b.dir, 'debug.log'), 'utf8')).toBe('v1');

    await a.lib.close();
    const ax = await makeNode(remote, 'a', { dir: a.dir, exclude: ['*.log'] });
    const first = await ax.sync();
    expect(first.local.deleted).toBe(0);
    expect(first.uploaded.versions).toBe(0);
    expect(first.excluded.local).toBe(1);

    // Edited and deleted here: not published. Edited there: not written here.
    await writeFile(join(a.dir, 'debug.log'), 'v2 on a');
    await writeFile(join(a.dir, 'new.log'), 'only on a');
    expect((await ax.sync()).uploaded.versions).toBe(0);
    await writeFile(join(b.dir, 'debug.log'), 'v2 on b');
    await writeFile(join(b.dir, 'other.log'), 'only on b');
    await b.sync();
    const fromB = await ax.sync();
    expect(fromB.excluded.remote).toBe(2);
    expect(fromB.errors).toEqual([]);
    expect(await snapshot(a.dir)).toEqual({ 'notes.txt': 'notes', 'debug.log': 'v2 on a', 'new.log': 'only on a' });
    await rm(join(a.dir, 'debug.log'));
    await ax.sync();
    await b.sync();
    expect(await snapshot(b.dir)).toEqual({ 'notes.txt': 'notes', 'debug.log': 'v2 on b', 'other.log': 'only on b' });

    // A delete made elsewhere leaves an excluded file here alone too.
    await writeFile(join(a.dir, 'debug.log'), 'kept on a');
    await rm(join(b.dir, 'other.log'));
    await b.sync();
    await ax.sync();
    expect(await readFile(join(a.dir, 'debug.log'), 'utf8')).toBe('kept on a');
    await ax.lib.close();
    await b.lib.close();
  });

  // The dry run listed the delete (and counted it) while the sync it stands for leaves the file alone.
  it('a dry run does not plan a delete made elsewhere of a file excluded here', async () => {
    const remote = createMemoryStorage();
    const a = await makeNode(remote, 'a');
    await writeFile(join(a.dir, 'debug.log'), 'v1');
    await a.sync();
    const b = await makeNode(remote, 'b');
    await b.sync();
    await a.lib.close();
    const ax = await makeNode(remote, 'a', { dir: a.dir, exclude: ['*.log'] });
    await ax.sync();
    await rm(join(b.dir, 'debug.log'));
    await b.sync();
    const planned = await ax.lib.sync({ dryRun: true });
    expect(planned.remote.deleted).toBe(0);
    expect(planned.files).toEqual([]);
    expect((await ax.sync()).remote.deleted).toBe(0);
    expect(await readFile(join(a.dir, 'debug.log'), 'utf8')).toBe('v1');
    await ax.lib.close();
    await b.lib.close();
  });

  it('given as a function, the patterns are asked at every round: one added while the library is open counts at once', async () => {
    let patterns: string[] = [];
    const remote = createMemoryStorage();
    const a = await makeNode(remote, 'a', { exclude: () => patterns });
    await writeFile(join(a.dir, 'notes.txt'), 'notes');
    await a.sync();
    patterns = ['*.log'];
    await writeFile(join(a.dir, 'debug.log'), 'not to be sent');
    const s = await a.sync();
    expect(s.uploaded.versions).toBe(0);
    expect(s.excluded.local).toBe(1);
    patterns = [];
    expect((await a.sync()).uploaded.versions).toBe(1); // dropped: it goes out
    await a.lib.close();
  });

  it('an excluded folder is left out whole, and a later `!pattern` brings one file back', async () => {
    const remote = createMemoryStorage();
    const a = await makeNode(remote, 'a', { exclude: ['build/*', '!build/keep.txt'] });
    await mkdir(join(a.dir, 'build/deep'), { recursive: true });
    await writeFile(join(a.dir, 'build/out.js'), 'out');
    await writeFile(join(a.dir, 'build/deep/x.js'), 'x');
    await writeFile(join(a.dir, 'build/keep.txt'), 'keep');
    const s = await a.sync();
    expect(s.excluded.local).toBe(2); // out.js and the folder deep/ (its content is not read)
    const b = await makeNode(remote, 'b');
    await b.sync();
    expect(await snapshot(b.dir)).toEqual({ 'build/keep.txt': 'keep' });
    await a.lib.close();
    await b.lib.close();
  });

  it('once the pattern is dropped, the file syncs again: an edit made meanwhile goes out, a remote change comes in', async () => {
    const remote = createMemoryStorage();
    const a = await makeNode(remote, 'a');
    await writeFile(join(a.dir, 'mine.tmp'), 'v1');
    await writeFile(join(a.dir, 'theirs.tmp'), 'v1');
    await a.sync();
    const b = await makeNode(remote, 'b');
    await b.sync();
    await a.lib.close();
    const ax = await makeNode(remote, 'a', { dir: a.dir, exclude: ['*.tmp'] });
    await writeFile(join(a.dir, 'mine.tmp'), 'v2 from a');
    await writeFile(join(b.dir, 'theirs.tmp'), 'v2 from b');
    await b.sync();
    await ax.sync();
    expect(await readFile(join(a.dir, 'theirs.tmp'), 'utf8')).toBe('v1');
    await ax.lib.close();

    const again = await makeNode(remote, 'a', { dir: a.dir });
    await again.sync();
    await b.sync();
    expect(await snapshot(a.dir)).toEqual({ 'mine.tmp': 'v2 from a', 'theirs.tmp': 'v2 from b' });
    expect(await snapshot(b.dir)).toEqual({ 'mine.tmp': 'v2 from a', 'theirs.tmp': 'v2 from b' });
    await again.lib.close();
    await b.lib.close();
  });

  it('once the pattern is dropped, a change another node made meanwhile comes in with nothing else new', async () => {
    const remote = createMemoryStorage();
    const a = await makeNode(remote, 'a', { exclude: ['*.tmp'] });
    const b = await makeNode(remote, 'b');
    await writeFile(join(b.dir, 'theirs.tmp'), 'from b');
    await b.sync();
    expect((await a.sync()).excluded.remote).toBe(1);
    await a.sync(); // nothing new: the folder stays as the patterns want it
    expect(existsSync(join(a.dir, 'theirs.tmp'))).toBe(false);
    await a.lib.close();
    const again = await makeNode(remote, 'a', { dir: a.dir });
    await again.sync();
    expect(await readFile(join(a.dir, 'theirs.tmp'), 'utf8')).toBe('from b');
    await again.lib.close();
    await b.lib.close();
  });

  it('a synced file that .syncacrossignore starts to cover is not published as deleted either', async () => {
    const remote = createMemoryStorage();
    const a = await makeNode(remote, 'a');
    await writeFile(join(a.dir, 'big.iso'), 'iso');
    await a.sync();
    const b = await makeNode(remote, 'b');
    await b.sync();
    await writeFile(join(a.dir, '.syncacrossignore'), '*.iso\n');
    const s = await a.sync();
    expect(s.local.deleted).toBe(0);
    expect(s.excluded.local).toBe(0); // the library's own rules, not this node's choice
    await b.sync();
    expect(existsSync(join(b.dir, 'big.iso'))).toBe(true);
    await a.lib.close();
    await b.lib.close();
  });
});

describe('loadPathRules', () => {
  it('later layers win, and nothing brings our own state or temporary files into a sync', async () => {
    const a = await makeNode(createMemoryStorage(), 'a');
    await writeFile(join(a.dir, '.syncacrossignore'), '*.bak\n');
    const rules = loadPathRules(a.dir, ['*.tmp', '!.syncacross/', '!x.syncacross-tmp-1', '!*.part', '!keep.bak']);
    expect(rules.ignores('a.tmp') && rules.excludes('a.tmp')).toBe(true);
    expect(rules.ignores('a.bak') && !rules.excludes('a.bak')).toBe(true); // ignored by the library, not excluded here
    expect(rules.ignores('keep.bak') || rules.ignores('x.part')).toBe(false);
    expect(rules.ignores('.syncacross/') && rules.ignores('x.syncacross-tmp-1')).toBe(true);
    expect(rules.excludes('.syncacross/')).toBe(false);
    expect(loadPathRules(a.dir).excludes('a.tmp')).toBe(false);
    await a.lib.close();
  });

  it('our state folder and temporary files are left out in any case of letters, at any depth, whatever a pattern says', async () => {
    const a = await makeNode(createMemoryStorage(), 'a');
    await writeFile(join(a.dir, '.syncacrossignore'), '!.SyncAcross/\n!*.SYNCACROSS-tmp-*\n');
    for (const rules of [loadPathRules(a.dir), loadPathRules(a.dir, ['!.syncacross/', '!*.syncacross-tmp-*'])]) {
      for (const p of ['.syncacross/', '.SYNCACROSS/', 'd/.Syncacross/', 'd/.syncacross/state.db', 'x.syncacross-tmp-1', 'd/x.SyncAcross-TMP-9']) expect(rules.ignores(p), p).toBe(true);
      for (const p of ['syncacross/', 'd/syncacross.txt', 'a.txt']) expect(rules.ignores(p), p).toBe(false);
    }
    await a.lib.close();
  });
});
