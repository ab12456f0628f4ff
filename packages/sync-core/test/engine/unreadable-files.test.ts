/**
 * A file the scan lists but cannot read (another account's, mode 600, in a shared folder; a bad
 * sector) is named in `skipped` with why, its record kept, and everything else syncs. Before, its
 * EACCES ended the whole round: nothing synced, exit 1 ("a bug"). An error of the remote while
 * the same file's chunks go up still ends the round (it is not the file's).
 *
 * Root reads any file whatever its mode, and the tests may run as root: the read's failure is then
 * given by node:fs's openSync itself, as the kernel gives it (code, errno, syscall, path). As
 * another user a real mode 000 file is read too.
 */
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import type { Storage } from '@syncacross/sync-core';
import { createMemoryStorage } from '@syncacross/sync-core/testing';
import { cleanup, makeNode, randomData, snapshot } from './helpers.js';

/** Paths whose opening fails, with the errno it fails with. */
const refused = vi.hoisted(() => new Map<string, { code: string; errno: number }>());
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const openSync = ((path: unknown, ...rest: unknown[]) => {
    const failure = refused.get(String(path));
    if (failure) throw Object.assign(new Error(`${failure.code}: refused, open '${String(path)}'`), { ...failure, syscall: 'open', path: String(path) });
    return (fs.openSync as (...a: unknown[]) => number)(path, ...rest);
  }) as typeof fs.openSync;
  return { ...fs, default: { ...fs, openSync }, openSync };
});

afterEach(() => refused.clear());
afterAll(cleanup);

describe('a file that cannot be read', () => {
  it('is named with why, its record kept; the rest syncs, and it syncs once readable', async () => {
    const remote = createMemoryStorage();
    const a = await makeNode(remote, 'a');
    for (const name of ['ok.md', 'theirs.md', 'bad-sector.md']) writeFileSync(join(a.dir, name), `${name} v1\n`);
    await a.sync();
    for (const name of ['ok.md', 'theirs.md', 'bad-sector.md']) writeFileSync(join(a.dir, name), `${name} v2\n`);
    writeFileSync(join(a.dir, 'new.md'), 'new\n');
    refused.set(join(a.dir, 'theirs.md'), { code: 'EACCES', errno: -13 });
    refused.set(join(a.dir, 'bad-sector.md'), { code: 'EIO', errno: -5 });

    const round = await a.sync();
    expect(round.skipped).toEqual([
      { path: 'bad-sector.md', reason: 'reading it failed (EIO); left for the next sync' },
      { path: 'theirs.md', reason: 'it cannot be read (permission denied); it syncs once this account may read it' },
    ]);
    expect(round.local).toEqual({ added: 1, changed: 1, deleted: 0 });
    const b = await makeNode(remote, 'b');
    await b.sync();
    expect(await snapshot(b.dir)).toEqual({ 'ok.md': 'ok.md v2\n', 'new.md': 'new\n', 'theirs.md': 'theirs.md v1\n', 'bad-sector.md': 'bad-sector.md v1\n' });

    refused.clear();
    const next = await a.sync();
    expect([next.skipped, next.local]).toEqual([[], { added: 0, changed: 2, deleted: 0 }]);
    await b.sync();
    expect(await snapshot(b.dir)).toEqual({ 'ok.md': 'ok.md v2\n', 'new.md': 'new\n', 'theirs.md': 'theirs.md v2\n', 'bad-sector.md': 'bad-sector.md v2\n' });
    await a.lib.close();
    await b.lib.close();
  });

  it("the remote's own failure while a file's chunks go up still ends the round", async () => {
    // A third-party adapter may let a raw file-system error out (a NAS mount refusing a write): it
    // is the remote's, and must not be taken for this file being unreadable.
    // Once only: a round that took it for the file's own would go on, and succeed.
    const inner = createMemoryStorage();
    let refusals = 1;
    const remote: Storage = {
      ...inner,
      putIfAbsent: async (key, bytes) => {
        if (key.startsWith('packs/') && refusals-- > 0) throw Object.assign(new Error('EACCES: permission denied, open /mnt/nas/packs'), { code: 'EACCES', errno: -13, syscall: 'open' });
        return inner.putIfAbsent(key, bytes);
      },
    };
    const a = await makeNode(remote, 'a', { retry: false, packSize: 64 * 1024 });
    // More chunks than the pack writer encodes at once (8): packs fill, and go up, while it is read.
    writeFileSync(join(a.dir, 'big.bin'), randomData(24 * 1024 * 1024, 7));
    await expect(a.sync()).rejects.toThrow(/permission denied, open \/mnt\/nas\/packs/);
    await a.lib.close();
  });

  it("out of file handles (EMFILE) is no one file's fault: the round ends, as the walk's does", async () => {
    const a = await makeNode(createMemoryStorage(), 'a');
    writeFileSync(join(a.dir, 'any.md'), 'any\n');
    refused.set(join(a.dir, 'any.md'), { code: 'EMFILE', errno: -24 });
    await expect(a.sync()).rejects.toMatchObject({ code: 'EMFILE' });
    await a.lib.close();
  });

  it.skipIf(process.getuid?.() === 0)('a real mode 000 file (not as root)', async () => {
    const a = await makeNode(createMemoryStorage(), 'a');
    writeFileSync(join(a.dir, 'locked.md'), 'locked\n');
    writeFileSync(join(a.dir, 'ok.md'), 'ok\n');
    chmodSync(join(a.dir, 'locked.md'), 0o000);
    try {
      const round = await a.sync();
      expect(round.skipped).toEqual([{ path: 'locked.md', reason: 'it cannot be read (permission denied); it syncs once this account may read it' }]);
      expect(round.local.added).toBe(1);
    } finally {
      chmodSync(join(a.dir, 'locked.md'), 0o644);
      await a.lib.close();
    }
  });
});
