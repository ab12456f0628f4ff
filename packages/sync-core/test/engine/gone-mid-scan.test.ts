/**
 * What the scan lists may be gone a moment later: a file deleted, a folder removed or replaced by a
 * file between its folder's listing and its own stat or listing (an editor's temporary file, a
 * build's output folder, a person tidying up while a sync runs). Before, the stat's ENOENT (or the
 * listing's ENOENT or ENOTDIR) ended the whole round: nothing synced, "a bug". Now such a path is
 * named in `skipped` as removed while scanned, its record is kept (no deletion is published from a
 * half-seen state), everything else syncs, and the next round sees what is there then.
 *
 * The removals are real (files and folders deleted on disk); only their moment is chosen: right
 * after a chosen folder is listed, by a hook around node:fs's readdirSync.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, snapshot, twoSyncedNodes } from './helpers.js';

/** Runs once, right after the folder `afterListing.folder` has been listed. */
const afterListing = vi.hoisted(() => ({ folder: '', then: undefined as (() => void) | undefined }));
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const readdirSync = ((path: unknown, options?: unknown) => {
    const listed = (fs.readdirSync as (p: unknown, o?: unknown) => unknown)(path, options);
    if (afterListing.then && String(path) === afterListing.folder) {
      const then = afterListing.then;
      afterListing.then = undefined;
      then();
    }
    return listed;
  }) as typeof fs.readdirSync;
  return { ...fs, default: { ...fs, readdirSync }, readdirSync };
});

afterEach(() => (afterListing.then = undefined));
afterAll(cleanup);

const REMOVED = 'it was removed while the folder was being scanned; left for the next sync';

describe('a path gone between its listing and its reading', () => {
  it('a file: named, its record kept this round, the rest synced; the next round publishes the deletion', async () => {
    const { a, b } = await twoSyncedNodes({ 'notes/keep.md': 'keep\n', 'notes/gone.md': 'gone\n' });
    writeFileSync(join(a.dir, 'notes', 'keep.md'), 'edited\n');
    writeFileSync(join(a.dir, 'new.md'), 'new\n');
    afterListing.folder = join(a.dir, 'notes');
    afterListing.then = () => rmSync(join(a.dir, 'notes', 'gone.md'));

    const round = await a.sync();
    expect(round.skipped).toEqual([{ path: 'notes/gone.md', reason: REMOVED }]);
    expect(round.local).toEqual({ added: 1, changed: 1, deleted: 0 });
    await b.sync();
    expect(await snapshot(b.dir)).toEqual({ 'new.md': 'new\n', 'notes/keep.md': 'edited\n', 'notes/gone.md': 'gone\n' });

    const next = await a.sync();
    expect(next.skipped).toEqual([]);
    expect(next.local).toEqual({ added: 0, changed: 0, deleted: 1 });
    await b.sync();
    expect(await snapshot(b.dir)).toEqual({ 'new.md': 'new\n', 'notes/keep.md': 'edited\n' });
    await a.lib.close();
    await b.lib.close();
  });

  it.each([
    ['removed', (dir: string) => rmSync(dir, { recursive: true })],
    ['replaced by a file', (dir: string) => (rmSync(dir, { recursive: true }), writeFileSync(dir, 'now a file\n'))],
  ])('a folder %s: named, what it held kept this round, the rest synced', async (_how, change) => {
    const { a, b } = await twoSyncedNodes({ 'top.md': 'top\n', 'build/out.txt': 'out\n', 'build/deep/more.txt': 'more\n' });
    writeFileSync(join(a.dir, 'top.md'), 'edited\n');
    afterListing.folder = a.dir;
    afterListing.then = () => change(join(a.dir, 'build'));

    const round = await a.sync();
    expect(round.skipped).toEqual([{ path: 'build', reason: REMOVED }]);
    expect(round.local).toEqual({ added: 0, changed: 1, deleted: 0 });
    await b.sync();
    expect(await snapshot(b.dir)).toEqual({ 'top.md': 'edited\n', 'build/out.txt': 'out\n', 'build/deep/more.txt': 'more\n' });

    const next = await a.sync();
    expect(next.skipped).toEqual([]);
    await b.sync();
    expect(await snapshot(b.dir)).toEqual(await snapshot(a.dir));
    await a.lib.close();
    await b.lib.close();
  });

  it('an empty folder removed once listed: named, not published as empty nor as gone this round', async () => {
    const { a, b } = await twoSyncedNodes({ 'top.md': 'top\n' });
    mkdirSync(join(a.dir, 'empty'));
    await a.sync();
    await b.sync();
    expect(await snapshot(b.dir)).toEqual({ 'top.md': 'top\n', 'empty/': '<dir>' });
    afterListing.folder = join(a.dir, 'empty');
    afterListing.then = () => rmSync(join(a.dir, 'empty'), { recursive: true });

    const round = await a.sync();
    expect(round.skipped).toEqual([{ path: 'empty', reason: REMOVED }]);
    await b.sync();
    expect(await snapshot(b.dir)).toEqual({ 'top.md': 'top\n', 'empty/': '<dir>' });

    await a.sync();
    await b.sync();
    expect(await snapshot(b.dir)).toEqual({ 'top.md': 'top\n' });
    await a.lib.close();
    await b.lib.close();
  });
});
