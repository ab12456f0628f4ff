/**
 * Names the file system holds but a library cannot (names-left-alone.ts) are left alone and named in
 * `skipped` while everything else syncs:
 * - one that is not valid UTF-8 (Linux allows any bytes but `/` and NUL: a file copied from an old
 *   Latin-1 disk, say), with its bytes spelled out. Node decodes such a name with U+FFFD in place of
 *   each invalid byte, and nothing on disk answers to that string: a whole sync failed with ENOENT;
 * - one that another name in its folder equals once NFC-normalized (`café` in NFC and in NFD, both
 *   on a Linux disk): both were published as one path, the second as a conflict copy that never
 *   came back to the disk that held them.
 */
import { mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createMemoryStorage } from '@syncacross/sync-core/testing';
import { cleanup, makeNode, snapshot, tempDir } from './helpers.js';

afterAll(cleanup);

/** `dir` joined with a name given as bytes. */
const bytePath = (dir: string, ...parts: (string | number[])[]) => Buffer.concat([Buffer.from(`${dir}/`), ...parts.map((p) => Buffer.from(p as never))]);

/** Whether this file system takes names that are not UTF-8 (APFS and Windows refuse them). */
async function takesAnyBytes(): Promise<boolean> {
  const dir = await tempDir('syncacross-bytes-');
  try {
    writeFileSync(bytePath(dir, 'probe', [0xff]), '');
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(!(await takesAnyBytes()))('names that are not valid UTF-8', () => {
  it('are named in skipped, with their bytes, and everything else syncs', async () => {
    const remote = createMemoryStorage();
    const a = await makeNode(remote, 'a');
    writeFileSync(join(a.dir, 'ok.txt'), 'fine\n');
    mkdirSync(join(a.dir, 'sub'));
    writeFileSync(join(a.dir, 'sub', 'kept.txt'), 'kept\n');
    writeFileSync(bytePath(a.dir, 'caf', [0xe9], '.txt'), 'latin-1 name\n');
    mkdirSync(bytePath(a.dir, 'd', [0xe9], 'j', [0xe0]));
    writeFileSync(bytePath(a.dir, 'd', [0xe9], 'j', [0xe0], '/inside.txt'), 'in a latin-1 folder\n');
    mkdirSync(join(a.dir, 'only'));
    writeFileSync(bytePath(a.dir, 'only/x', [0xff, 0xfe]), 'alone\n');

    const first = await a.sync();
    expect(first.local.added).toBe(2);
    expect(first.skipped).toEqual(
      expect.arrayContaining([
        { path: 'caf\uFFFD.txt', reason: 'its name is not valid UTF-8 (on disk: caf\\xe9.txt); rename it to sync it' },
        { path: 'd\uFFFDj\uFFFD', reason: 'its name is not valid UTF-8 (on disk: d\\xe9j\\xe0); rename it to sync it and what it holds' },
        { path: 'only/x\uFFFD\uFFFD', reason: 'its name is not valid UTF-8 (on disk: x\\xff\\xfe); rename it to sync it' },
      ]),
    );
    expect(first.skipped).toHaveLength(3);

    // Another node gets what could be synced; a folder holding only such a file is not an empty folder.
    const b = await makeNode(remote, 'b');
    await b.sync();
    expect(await snapshot(b.dir)).toEqual({ 'ok.txt': 'fine\n', 'sub/kept.txt': 'kept\n' });

    // Renamed to a valid name, the file syncs like any other; nothing else moves.
    renameSync(bytePath(a.dir, 'caf', [0xe9], '.txt'), join(a.dir, 'café.txt'));
    const second = await a.sync();
    expect(second.local).toEqual({ added: 1, changed: 0, deleted: 0 });
    expect(second.skipped).toHaveLength(2);
    await b.sync();
    expect(await snapshot(b.dir)).toEqual({ 'ok.txt': 'fine\n', 'sub/kept.txt': 'kept\n', 'café.txt': 'latin-1 name\n' });
    await a.lib.close();
    await b.lib.close();
  });
});

/** Whether this file system keeps `café` in NFC and in NFD as two names (ext4 does; APFS does not). */
async function keepsBothForms(): Promise<boolean> {
  const dir = await tempDir('syncacross-forms-');
  writeFileSync(join(dir, 'caf\u00e9'), '');
  try {
    writeFileSync(join(dir, 'cafe\u0301'), '', { flag: 'wx' });
  } catch {
    return false;
  }
  return readdirSync(dir).length === 2;
}

describe.skipIf(!(await keepsBothForms()))('names equal once NFC-normalized, in one folder', () => {
  it('the NFC one syncs, the other is named, no conflict copy is made; alone, it syncs', async () => {
    const remote = createMemoryStorage();
    const a = await makeNode(remote, 'a');
    writeFileSync(join(a.dir, 'caf\u00e9.txt'), 'typed here (NFC)\n');
    writeFileSync(join(a.dir, 'cafe\u0301.txt'), 'copied from a Mac (NFD)\n');
    mkdirSync(join(a.dir, 'r\u00e9sum\u00e9s'));
    writeFileSync(join(a.dir, 'r\u00e9sum\u00e9s', 'cv.txt'), 'NFC folder\n');
    mkdirSync(join(a.dir, 're\u0301sume\u0301s'));
    writeFileSync(join(a.dir, 're\u0301sume\u0301s', 'other.txt'), 'NFD folder\n');

    const first = await a.sync();
    expect(first.local.added).toBe(2);
    expect(first.skipped).toEqual([
      { path: 'cafe\u0301.txt', reason: 'another name in its folder, caf\u00e9.txt, is the same once Unicode-normalized (NFC), as every other machine sees it: rename one of them to sync this one' },
      {
        path: 're\u0301sume\u0301s',
        reason: 'another name in its folder, r\u00e9sum\u00e9s, is the same once Unicode-normalized (NFC), as every other machine sees it: rename one of them to sync this one and what it holds',
      },
    ]);
    expect(first.conflicts).toEqual([]);
    const b = await makeNode(remote, 'b');
    await b.sync();
    expect(await snapshot(b.dir)).toEqual({ 'caf\u00e9.txt': 'typed here (NFC)\n', 'r\u00e9sum\u00e9s/cv.txt': 'NFC folder\n' });

    // Once the NFC file is gone, the other is the file of that name, on every machine.
    rmSync(join(a.dir, 'caf\u00e9.txt'));
    const second = await a.sync();
    expect(second.skipped.map((k) => k.path)).toEqual(['re\u0301sume\u0301s']);
    expect(second.conflicts).toEqual([]);
    await b.sync();
    expect(await snapshot(b.dir)).toEqual({ 'caf\u00e9.txt': 'copied from a Mac (NFD)\n', 'r\u00e9sum\u00e9s/cv.txt': 'NFC folder\n' });
    await a.lib.close();
    await b.lib.close();
  });
});
