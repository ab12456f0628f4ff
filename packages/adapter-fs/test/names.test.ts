/** File names: every key gets a name no file system folds onto another, and foreign files are not keys. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFsStorage, decodeName, encodeName } from '@syncacross/adapter-fs';
import { listAll } from '@syncacross/sync-core';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'syncacross-fs-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('file names', () => {
  it('never lets two keys collide on a case-insensitive or Windows file system', () => {
    const names = ['CaseA', 'casea', 'a.', 'con', 'CON.txt', 'x<y>', 'é', 'e\u0301', '.hidden', 'plain-name_1.bin'].map(encodeName);
    expect(new Set(names.map((n) => n.toLowerCase())).size).toBe(names.length);
    for (const n of names) expect(n).toMatch(/^[a-z0-9_%.-]+$/i);
    expect(names.some((n) => n.endsWith('.') || n.startsWith('.'))).toBe(false);
    expect(encodeName('plain-name_1.bin')).toBe('plain-name_1.bin');
  });

  it('ignores files in the remote folder that it did not write', async () => {
    const s = await createFsStorage({ root: dir });
    await s.putIfAbsent('log/a', Uint8Array.of(1));
    await writeFile(join(dir, 'log', 'Thumbs.db'), 'junk');
    await writeFile(join(dir, 'log', '.DS_Store'), 'junk');
    expect((await listAll(s, '')).map((o) => o.key)).toEqual(['log/a']);
    expect(decodeName('Thumbs.db')).toBeUndefined();
  });
});
