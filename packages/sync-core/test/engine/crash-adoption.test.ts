/**
 * A crash never invents a conflict: files a killed materialization renamed into place before it
 * recorded them are recognized as this node's own writes, even once the tree has moved on.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createFsStorage } from '@syncacross/adapter-fs';
import { killWhen } from './kill-child.js';
import { cleanup, makeNode, snapshot, tempDir } from './helpers.js';

const dist = fileURLToPath(new URL('../../dist/index.js', import.meta.url));

beforeAll(() => {
  if (!existsSync(dist)) throw new Error('these tests run the built engine in a child process: run `npm run build` first (npm test does)');
});
afterEach(cleanup);

const written = async (dir: string) => (await readdir(dir).catch(() => [] as string[])).filter((n) => /^f\d+\.txt$/.test(n)).length;

describe('a crash between a rename and its record', () => {
  it('killed mid-materialize while the other node edits every file: no conflict copy, no new version, both converge', async () => {
    const remoteDir = await tempDir('syncacross-remote-');
    const remote = await createFsStorage({ root: remoteDir });
    const a = await makeNode(remote, 'a', { packSize: 64 * 1024 });
    for (let i = 0; i < 60; i++) await writeFile(join(a.dir, `f${String(i).padStart(2, '0')}.txt`), `first ${i} `.repeat(2000));
    await a.sync();

    // b's first sync is killed once some files are in place: their records are written in one
    // batch at the end, so those files are on disk with no record. Reads of packs past the first
    // ten never answer, so some files cannot land however late the kill comes (below).
    const bDir = await tempDir('syncacross-b-');
    await killWhen([bDir, remoteDir, 'b', '20', String(16 * 1024 * 1024), '10'], async () => (await written(bDir)) >= 5);
    const landed = await written(bDir);
    expect(landed).toBeGreaterThanOrEqual(5);
    expect(landed).toBeLessThan(60);

    // Meanwhile the tree moves on: a edits every file (only a does).
    for (let i = 0; i < 60; i++) await writeFile(join(a.dir, `f${String(i).padStart(2, '0')}.txt`), `second ${i}`);
    await a.sync();

    const b = await makeNode(remote, 'b', { dir: bDir });
    const s = await b.sync();
    expect(s.conflicts).toEqual([]);
    expect(s.uploaded.versions).toBe(0); // b edited nothing
    await a.sync();
    expect(a.lib.status().conflicts).toEqual([]);
    const disk = await snapshot(a.dir);
    expect(Object.keys(disk)).toHaveLength(60);
    expect(await snapshot(b.dir)).toEqual(disk);
    expect(disk['f07.txt']).toBe('second 7');
    await a.lib.close();
    await b.lib.close();
  });

  it('killed while overwriting files it had recorded, as the tree moves on again: no conflict copy, both converge', async () => {
    const remoteDir = await tempDir('syncacross-remote-');
    const remote = await createFsStorage({ root: remoteDir });
    const a = await makeNode(remote, 'a', { packSize: 64 * 1024 });
    const name = (i: number) => `f${String(i).padStart(2, '0')}.txt`;
    for (let i = 0; i < 60; i++) await writeFile(join(a.dir, name(i)), `first ${i}`);
    await a.sync();
    const bDir = await tempDir('syncacross-b-');
    const b0 = await makeNode(remote, 'b', { dir: bDir });
    await b0.sync(); // every file recorded at its first version
    await b0.lib.close();

    // a edits every file; b is killed while overwriting: some files hold the edit, their records the old version.
    for (let i = 0; i < 60; i++) await writeFile(join(a.dir, name(i)), `second ${i} `.repeat(2000));
    await a.sync();
    const second = async () => {
      let n = 0;
      for (let i = 0; i < 60; i++) if ((await readFile(join(bDir, name(i)), 'utf8').catch(() => '')).startsWith('second')) n++;
      return n;
    };
    // Killed at the first file that holds the edit. Reads of packs past the first ten never
    // answer (b fetches 8 at a time, so the first file's are among them), so files in the other
    // packs cannot land however late the kill comes: a delay alone (80 ms per storage call, once
    // 20) still let b write all 60 first on a loaded machine (the whole suite, 2 cores).
    await killWhen([bDir, remoteDir, 'b', '20', String(16 * 1024 * 1024), '10'], async () => (await second()) >= 1);
    expect(await second()).toBeLessThan(60);

    for (let i = 0; i < 60; i++) await writeFile(join(a.dir, name(i)), `third ${i}`);
    await a.sync();
    const b = await makeNode(remote, 'b', { dir: bDir });
    const s = await b.sync();
    expect(s.conflicts).toEqual([]);
    expect(s.uploaded.versions).toBe(0);
    await a.sync();
    expect(a.lib.status().conflicts).toEqual([]);
    const disk = await snapshot(a.dir);
    expect(await snapshot(b.dir)).toEqual(disk);
    expect(disk['f07.txt']).toBe('third 7');
    await a.lib.close();
    await b.lib.close();
  });
});
