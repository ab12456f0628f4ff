/**
 * A name that is not valid UTF-8 (Linux allows any bytes but `/` and NUL: a file copied from an
 * old Latin-1 disk, say) is left alone and named in `skipped`, with its bytes spelled out, while
 * everything else syncs. Node decodes such a name with U+FFFD in place of each invalid byte, and
 * nothing on disk answers to that string: a whole sync failed with ENOENT on its lstat before.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
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
