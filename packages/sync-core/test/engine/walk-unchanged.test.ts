/**
 * The walk asks the scan, file by file, whether a file is as recorded, and keeps no entry for one
 * that is. It must still count it as content of its folder (a folder of unchanged files is not an
 * empty folder to publish), and must not ask about a database with a WAL, whose stat is the pair's.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadPathRules } from '../../src/local/ignore-rules.js';
import { walkLibrary } from '../../src/local/scan.js';
import { cleanup, tempDir } from './helpers.js';

afterEach(cleanup);

describe('a walk told which files are unchanged', () => {
  it('keeps entries only for the others, and a folder of unchanged files is not empty', async () => {
    const dir = await tempDir();
    for (const folder of ['same', 'mixed', 'db']) mkdirSync(join(dir, folder));
    for (const [path, content] of Object.entries({ 'same/a.md': 'a', 'same/b.md': 'b', 'mixed/c.md': 'c', 'mixed/d.md': 'd', 'top.md': 't', 'db/lib.sqlite': 'x', 'db/lib.sqlite-wal': 'w' }))
      writeFileSync(join(dir, path), content);
    const asked: string[] = [];
    const unchanged = (diskPath: string, stat: { size: number; mtimeMs: number; ctimeMs: number; ino: number }) => {
      asked.push(diskPath);
      expect(stat.size).toBe(1);
      expect(stat.ino).toBeGreaterThan(0);
      return diskPath !== 'mixed/d.md';
    };
    const walk = await walkLibrary(dir, loadPathRules(dir), undefined, false, unchanged);
    expect([...walk.entries.keys()].sort()).toEqual(['db/lib.sqlite', 'mixed/d.md']);
    expect(asked.sort()).toEqual(['mixed/c.md', 'mixed/d.md', 'same/a.md', 'same/b.md', 'top.md']);
    expect(walk.entries.get('db/lib.sqlite')?.hasWal).toBe(true);

    // Without the question, every file has its entry, and no folder is empty either.
    const all = await walkLibrary(dir, loadPathRules(dir));
    expect([...all.entries.keys()].sort()).toEqual(['db/lib.sqlite', 'mixed/c.md', 'mixed/d.md', 'same/a.md', 'same/b.md', 'top.md']);
  });
});
