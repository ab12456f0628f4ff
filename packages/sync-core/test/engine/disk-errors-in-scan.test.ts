/**
 * A folder that cannot be listed or a file whose stat fails (a failing disk's EIO, a folder denied
 * to this account, one that may be listed but not entered) is named as not synced and the rest of
 * the library syncs; its record is kept, so nothing is published as deleted from a half-seen
 * folder. Before, the listing's or the stat's error ended the whole round (and `status`): nothing
 * synced, exit 1. An error that is no one path's (out of file handles) still ends the round.
 *
 * The errors are thrown by hooks around node:fs's readdirSync and lstatSync for chosen paths, as
 * the kernel throws them (a code, a syscall, the path): EIO cannot be had on demand from a real disk here.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, snapshot, twoSyncedNodes } from './helpers.js';

/** Paths whose listing or stat fails with the code given. */
const failing = vi.hoisted(() => ({ readdir: new Map<string, string>(), lstat: new Map<string, string>() }));
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const failIfChosen = (chosen: Map<string, string>, syscall: string, path: unknown) => {
    const code = chosen.get(String(path));
    if (code) throw Object.assign(new Error(`${code}: failed, ${syscall} '${String(path)}'`), { code, syscall, path: String(path) });
  };
  const readdirSync = ((path: unknown, options?: unknown) => {
    failIfChosen(failing.readdir, 'scandir', path);
    return (fs.readdirSync as (p: unknown, o?: unknown) => unknown)(path, options);
  }) as typeof fs.readdirSync;
  const lstatSync = ((path: unknown, options?: unknown) => {
    failIfChosen(failing.lstat, 'lstat', path);
    return (fs.lstatSync as (p: unknown, o?: unknown) => unknown)(path, options);
  }) as typeof fs.lstatSync;
  return { ...fs, default: { ...fs, readdirSync, lstatSync }, readdirSync, lstatSync };
});

afterEach(() => {
  failing.readdir.clear();
  failing.lstat.clear();
});
afterAll(cleanup);

/** Two nodes with the same few files synced between them. */
const synced = () => twoSyncedNodes({ 'papers/a.md': 'a\n', 'top.md': 'top\n' });

describe('a disk error in one place of the scan', () => {
  it('a folder that fails to list (EIO): named, what it held kept on the others, the rest synced; synced once it lists', async () => {
    const { a, b } = await synced();
    writeFileSync(join(a.dir, 'top.md'), 'edited\n');
    writeFileSync(join(a.dir, 'papers', 'b.md'), 'b\n');
    failing.readdir.set(join(a.dir, 'papers'), 'EIO');

    const round = await a.sync();
    expect(round.skipped).toEqual([{ path: 'papers', reason: 'the folder cannot be read (EIO); left for the next sync' }]);
    expect(round.local).toEqual({ added: 0, changed: 1, deleted: 0 });
    expect(await a.lib.unsyncedChanges()).toMatchObject({ removed: [], notSynced: round.skipped });
    await b.sync();
    expect(await snapshot(b.dir)).toEqual({ 'top.md': 'edited\n', 'papers/a.md': 'a\n' });

    failing.readdir.clear();
    expect((await a.sync()).local).toEqual({ added: 1, changed: 0, deleted: 0 });
    await b.sync();
    expect(await snapshot(b.dir)).toEqual(await snapshot(a.dir));
    await a.lib.close();
    await b.lib.close();
  });

  it.each([
    ['EIO', 'its details cannot be read (EIO); left for the next sync'],
    ['EACCES', 'it cannot be read (permission denied: its folder may be listed but not entered)'],
  ])('a file whose stat fails (%s): named, kept on the others, the rest synced', async (code, reason) => {
    const { a, b } = await synced();
    writeFileSync(join(a.dir, 'top.md'), 'edited\n');
    writeFileSync(join(a.dir, 'papers', 'a.md'), 'a, edited\n');
    failing.lstat.set(join(a.dir, 'papers', 'a.md'), code);

    const round = await a.sync();
    expect(round.skipped).toEqual([{ path: 'papers/a.md', reason }]);
    expect(round.local).toEqual({ added: 0, changed: 1, deleted: 0 });
    await b.sync();
    expect(await snapshot(b.dir)).toEqual({ 'top.md': 'edited\n', 'papers/a.md': 'a\n' });
    await a.lib.close();
    await b.lib.close();
  });

  it('an error that is no one path’s (out of file handles) ends the round, as before', async () => {
    const { a, b } = await synced();
    failing.readdir.set(join(a.dir, 'papers'), 'EMFILE');
    await expect(a.sync()).rejects.toMatchObject({ code: 'EMFILE' });
    failing.readdir.set(a.dir, 'EIO');
    await expect(a.sync()).rejects.toMatchObject({ code: 'EIO' }); // the library's own folder: nothing can be synced
    await a.lib.close();
    await b.lib.close();
  });
});
