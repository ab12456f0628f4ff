/**
 * A name that is a file on one machine and a folder on another: the merge gives it to the folder
 * and moves the file aside as a conflict copy, the same on every node, so every node can write
 * the tree and they converge (instead of EEXIST on every round, for ever).
 */
import { fc, test } from '@fast-check/vitest';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryStorage } from '@syncacross/sync-core/testing';
import { buildTree, conflictCopyName, type Tree } from '../../src/engine/merge.js';
import { withHash, type HashedVersion } from '../../src/model/version.js';
import { cleanup, makeNode, snapshot, syncAll } from './helpers.js';

afterEach(cleanup);

const PATHS = ['a', 'a/b', 'a/b/c', 'd', 'd/e'];
const CONTENTS = [['c1'], ['c2'], []];

/** Random histories where any path may be a file or a folder, so names clash both ways. */
const histories = fc
  .array(
    fc.record({
      path: fc.constantFrom(...PATHS),
      parentPicks: fc.array(fc.nat(), { maxLength: 2 }),
      hlc: fc.integer({ min: 0, max: 20 }),
      writer: fc.constantFrom('w1.a', 'w2.b'),
      content: fc.nat({ max: CONTENTS.length - 1 }),
      dir: fc.boolean(),
      deleted: fc.boolean(),
    }),
    { maxLength: 14 },
  )
  .map((steps) => {
    const out: HashedVersion[] = [];
    for (const s of steps) {
      const earlier = out.filter((v) => v.path === s.path);
      const parents = [...new Set(s.parentPicks.filter(() => earlier.length > 0).map((i) => earlier[i % earlier.length]!.hash))];
      out.push(
        withHash({
          path: s.path,
          parents,
          hlc: s.hlc,
          writer: s.writer,
          kind: s.dir ? 'dir' : 'file',
          size: 0,
          mtime: 0,
          chunks: s.deleted || s.dir ? [] : CONTENTS[s.content]!,
          ...(s.deleted ? { deleted: true as const } : {}),
        }),
      );
    }
    return out;
  });

const shape = (t: Tree) => JSON.stringify([...t.entries()].map(([p, e]) => [p, e.version.hash, e.conflictOf ?? null, e.displaced ?? false]).sort());

describe('merge: a name is a file or a folder, never both', () => {
  test.prop([histories])('the tree can be written to a disk: no file has an entry below it', (vs) => {
    const tree = buildTree(vs);
    for (const path of tree.keys()) {
      for (let i = path.indexOf('/'); i !== -1; i = path.indexOf('/', i + 1)) {
        const parent = tree.get(path.slice(0, i));
        if (parent) expect(parent.version.kind, `${path.slice(0, i)} holds ${path}`).toBe('dir');
      }
    }
  });

  test.prop([histories, fc.infiniteStream(fc.nat())])('is independent of order and duplicates (every node derives the same tree)', (vs, rnd) => {
    const shuffled = [...vs, ...vs.slice(0, 3)]
      .map((v) => ({ v, k: rnd.next().value }))
      .sort((a, b) => a.k - b.k)
      .map((x) => x.v);
    expect(shape(buildTree(shuffled))).toBe(shape(buildTree(vs)));
  });

  test.prop([histories])('loses no live head: each is at its path or a conflict copy of it', (vs) => {
    const tree = buildTree(vs);
    const named = new Set(vs.flatMap((v) => v.parents));
    const present = new Set([...tree.values()].map((e) => `${e.conflictOf ?? e.path}|${e.version.kind}|${e.version.chunks.join(',')}`));
    for (const h of vs.filter((v) => !named.has(v.hash) && !v.deleted)) expect(present.has(`${h.path}|${h.kind}|${h.chunks.join(',')}`)).toBe(true);
  });

  it('a folder head wins its name over a concurrent file head, which becomes a conflict copy', () => {
    const file = withHash({ path: 'docs', parents: [], hlc: 20, writer: 'w1.a', kind: 'file', size: 1, mtime: 0, chunks: ['x'] });
    const dir = withHash({ path: 'docs', parents: [], hlc: 10, writer: 'w2.b', kind: 'dir', size: 0, mtime: 0, chunks: [] });
    const tree = buildTree([file, dir]);
    expect(tree.get('docs')!.version.hash).toBe(dir.hash);
    expect(tree.get(conflictCopyName('docs', file))).toEqual({ path: conflictCopyName('docs', file), version: file, conflictOf: 'docs' });
  });

  it('a file with entries below its name is displaced to a conflict copy named by its version', () => {
    const file = withHash({ path: 'notes', parents: [], hlc: 20, writer: 'w1.a', kind: 'file', size: 1, mtime: 0, chunks: ['x'] });
    const inside = withHash({ path: 'notes/a.md', parents: [], hlc: 10, writer: 'w2.b', kind: 'file', size: 1, mtime: 0, chunks: ['y'] });
    const tree = buildTree([file, inside]);
    expect([...tree.keys()].sort()).toEqual([conflictCopyName('notes', file), 'notes/a.md'].sort());
    expect(tree.get(conflictCopyName('notes', file))).toMatchObject({ conflictOf: 'notes', displaced: true });
  });
});

describe('two nodes, a file on one and a folder on the other', () => {
  it('one turns the file notes into a folder while the other edits it: both converge, the edit is a conflict copy', async () => {
    const remote = createMemoryStorage();
    const a = await makeNode(remote, 'a');
    const b = await makeNode(remote, 'b');
    await writeFile(join(a.dir, 'notes'), 'v1');
    await syncAll([a, b]);
    await rm(join(a.dir, 'notes'));
    await mkdir(join(a.dir, 'notes'));
    await writeFile(join(a.dir, 'notes/a.md'), 'inside');
    await writeFile(join(b.dir, 'notes'), 'v2 from b');
    const first = [await a.sync(), await b.sync(), await a.sync(), await b.sync()];
    expect(first.flatMap((s) => s.errors)).toEqual([]);
    const disk = await snapshot(a.dir);
    expect(await snapshot(b.dir)).toEqual(disk);
    const copy = Object.keys(disk).find((p) => p.startsWith('notes.sync-conflict-'))!;
    expect(disk).toEqual({ 'notes/a.md': 'inside', [copy]: 'v2 from b' });
    expect(a.lib.status().conflicts).toEqual([{ path: copy, conflictOf: 'notes' }]);

    // Deleting the copy resolves it: the file is deleted, the folder stays, the copy does not return.
    await rm(join(b.dir, copy));
    await syncAll([b, a, b]);
    expect(await snapshot(a.dir)).toEqual({ 'notes/a.md': 'inside' });
    expect(await snapshot(b.dir)).toEqual({ 'notes/a.md': 'inside' });
    expect(a.lib.status().conflicts).toEqual([]);
    await a.lib.close();
    await b.lib.close();
  });

  it('docs is a file on one machine and a folder on the other, made independently: both converge with no error', async () => {
    const remote = createMemoryStorage();
    const a = await makeNode(remote, 'a');
    const b = await makeNode(remote, 'b');
    await writeFile(join(a.dir, 'docs'), 'a file');
    await mkdir(join(b.dir, 'docs'));
    await writeFile(join(b.dir, 'docs/x.txt'), 'in a folder');
    const rounds = [await a.sync(), await b.sync(), await a.sync(), await b.sync()];
    expect(rounds.flatMap((s) => s.errors)).toEqual([]);
    const disk = await snapshot(a.dir);
    expect(await snapshot(b.dir)).toEqual(disk);
    const copy = Object.keys(disk).find((p) => p.startsWith('docs.sync-conflict-'))!;
    expect(disk).toEqual({ 'docs/x.txt': 'in a folder', [copy]: 'a file' });
    // Quiet afterwards: nothing left to write, nothing new to publish.
    const quiet = await a.sync();
    expect(quiet.uploaded.versions).toBe(0);
    expect(quiet.downloaded.files).toBe(0);
    await a.lib.close();
    await b.lib.close();
  });

  it('an empty folder on one machine and a file of the same name on the other: the folder keeps the name', async () => {
    const remote = createMemoryStorage();
    const a = await makeNode(remote, 'a');
    const b = await makeNode(remote, 'b');
    await mkdir(join(a.dir, 'box'));
    await writeFile(join(b.dir, 'box'), 'a file');
    const rounds = [await b.sync(), await a.sync(), await b.sync(), await a.sync()];
    expect(rounds.flatMap((s) => s.errors)).toEqual([]);
    const disk = await snapshot(a.dir);
    expect(await snapshot(b.dir)).toEqual(disk);
    const copy = Object.keys(disk).find((p) => p.startsWith('box.sync-conflict-'))!;
    expect(disk).toEqual({ 'box/': '<dir>', [copy]: 'a file' });
    await a.lib.close();
    await b.lib.close();
  });
});
