/**
 * Reading a file that changes is linear and bounded: the read stops at the size the file had, a
 * file that grows or shrinks meanwhile is left for the next round and reported, an abort stops
 * the read, and an unchanging file is cut exactly as before.
 */
import { appendFileSync, truncateSync, unlinkSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryStorage } from '@syncacross/sync-core/testing';
import { cdcBoundaries, DEFAULT_CHUNKING, type ChunkingParams } from '../../src/model/chunker.js';
import { chunkFile, isSqliteFile } from '../../src/local/chunk-file.js';
import { cleanup, makeNode, randomData, tempDir } from './helpers.js';

afterEach(cleanup);

async function lengthsOf(path: string, p: ChunkingParams): Promise<number[]> {
  const out: number[] = [];
  for await (const c of chunkFile(path, p)) out.push(c.byteLength);
  return out;
}

describe('chunking a file', () => {
  const SMALL: ChunkingParams = { minSize: 1024, avgSize: 4096, maxSize: 16 * 1024 };

  it('cuts an unchanging file exactly where the chunker cuts the whole content (random data, several sizes and parameters)', async () => {
    const dir = await tempDir();
    const cases: [number, ChunkingParams][] = [
      [0, SMALL],
      [1, SMALL],
      [100 * 1024, SMALL], // read in one call
      [256 * 1024 + 1, SMALL], // just past the one-call size
      [3 * 1024 * 1024 + 777, SMALL],
      [9 * 1024 * 1024 + 3, SMALL], // more than one 8 MiB read
      [21 * 1024 * 1024 + 12345, DEFAULT_CHUNKING], // several reads, default chunks
    ];
    for (const [i, [size, p]] of cases.entries()) {
      const data = randomData(size, 1000 + i);
      const file = join(dir, `f${i}`);
      await writeFile(file, data);
      const expected = size === 0 ? [] : cdcBoundaries(data, p);
      expect(await lengthsOf(file, p), `case ${i} (${size} bytes)`).toEqual(expected);
      // And the bytes are the file's, in order.
      const parts: Uint8Array[] = [];
      for await (const c of chunkFile(file, p)) parts.push(c);
      expect(Buffer.concat(parts).equals(data)).toBe(true);
    }
  });

  it('cuts a database of several reads into its pages, the last one short, the bytes in order', async () => {
    const dir = await tempDir();
    for (const [i, pageSize] of [4096, 65536].entries()) {
      const data = Buffer.from(randomData(17 * 1024 * 1024 + 5 * pageSize + 123, 2000 + i));
      data.write('SQLite format 3\0', 0, 'latin1');
      data.writeUInt16BE(pageSize === 65536 ? 1 : pageSize, 16);
      const file = join(dir, `db${i}`);
      await writeFile(file, data);
      const lengths = await lengthsOf(file, DEFAULT_CHUNKING);
      expect(lengths.slice(0, -1).every((n) => n === pageSize)).toBe(true);
      expect(lengths.at(-1)).toBe(data.length % pageSize || pageSize);
      const parts: Uint8Array[] = [];
      for await (const c of chunkFile(file)) parts.push(c);
      expect(Buffer.concat(parts).equals(data)).toBe(true);
    }
  });

  it('asked to stop at a database, stops at its first read, before any chunk; other files are cut as without', async () => {
    const dir = await tempDir();
    const database = (size: number, seed: number) => {
      const data = Buffer.from(randomData(size, seed));
      data.write('SQLite format 3\0', 0, 'latin1');
      data.writeUInt16BE(4096, 16);
      return data;
    };
    const notDatabase = Buffer.from(randomData(300 * 1024, 3003));
    notDatabase.write('SQLite format 3\0', 0, 'latin1');
    notDatabase.writeUInt16BE(1000, 16); // not a power of two: no database
    const cases: [string, Buffer, boolean][] = [
      ['small.db', database(40 * 1024, 3001), true], // read in one call
      ['large.db', database(9 * 1024 * 1024, 3002), true], // more than one read
      ['tiny', Buffer.from('SQLite format 3\0'), false], // under the 100-byte header
      ['odd-page.bin', notDatabase, false],
      ['plain.bin', Buffer.from(randomData(300 * 1024, 3004)), false],
    ];
    for (const [name, data, isDatabase] of cases) {
      const file = join(dir, name);
      await writeFile(file, data);
      const parts: Uint8Array[] = [];
      let error: unknown;
      try {
        for await (const c of chunkFile(file, SMALL, { stopAtSqlite: true })) parts.push(c);
      } catch (e) {
        error = e;
      }
      if (isDatabase) {
        expect(isSqliteFile(error), name).toBe(true);
        expect(parts, name).toEqual([]);
      } else {
        expect(error, name).toBeUndefined();
        expect(
          parts.map((c) => c.byteLength),
          name,
        ).toEqual(await lengthsOf(file, SMALL));
        expect(Buffer.concat(parts).equals(data), name).toBe(true);
      }
    }
  });

  it('a file that grows while it is read fails with FileChanged after reading no more than its size', async () => {
    const dir = await tempDir();
    const file = join(dir, 'growing.log');
    await writeFile(file, randomData(12 * 1024 * 1024, 7));
    let yielded = 0;
    let error: unknown;
    try {
      for await (const c of chunkFile(file, SMALL)) {
        yielded += c.byteLength;
        appendFileSync(file, 'x'); // a writer appending all along
      }
    } catch (e) {
      error = e;
    }
    expect((error as { code?: string }).code).toBe('FileChanged');
    expect(yielded).toBeLessThanOrEqual(12 * 1024 * 1024);
  });

  it('a file that shrinks while it is read fails with FileChanged', async () => {
    const dir = await tempDir();
    const file = join(dir, 'shrinking.bin');
    await writeFile(file, randomData(12 * 1024 * 1024, 8));
    let error: unknown;
    try {
      for await (const _ of chunkFile(file, SMALL)) truncateSync(file, 1024 * 1024);
    } catch (e) {
      error = e;
    }
    expect((error as { code?: string }).code).toBe('FileChanged');
  });

  it('an abort stops the read with Aborted', async () => {
    const dir = await tempDir();
    const file = join(dir, 'big.bin');
    await writeFile(file, randomData(12 * 1024 * 1024, 9));
    const abort = new AbortController();
    let chunks = 0;
    let error: unknown;
    try {
      for await (const _ of chunkFile(file, SMALL, { signal: abort.signal })) {
        chunks++;
        abort.abort();
      }
    } catch (e) {
      error = e;
    }
    expect(chunks).toBe(1);
    expect((error as { code?: string }).code).toBe('Aborted');
  });
});

describe('a sync while a file grows', () => {
  it('leaves that file for the next round, says so in skipped, and syncs the rest', async () => {
    const remote = createMemoryStorage();
    const a = await makeNode(remote, 'a', { chunking: { minSize: 1024, avgSize: 4096, maxSize: 16 * 1024 } });
    const log = join(a.dir, 'app.log');
    await writeFile(log, randomData(6 * 1024 * 1024, 11));
    await writeFile(join(a.dir, 'other.txt'), 'other');
    // The log's writer appends as soon as the scan reaches it (the scan reports each file first).
    let appended = false;
    const s = await a.lib.sync({
      onProgress: (p) => {
        if (p.phase === 'scan' && p.path === 'app.log' && !appended) {
          appended = true;
          setImmediate(() => appendFileSync(log, 'one more line\n'));
        }
      },
    });
    expect(appended).toBe(true);
    expect(s.skipped).toEqual([{ path: 'app.log', reason: expect.stringMatching(/while being read.*next sync/) }]);
    expect(s.local.added).toBe(1); // other.txt
    expect([...a.lib.tree().keys()]).toEqual(['other.txt']);

    // Once it holds still, the next round takes it.
    const next = await a.sync();
    expect(next.skipped).toEqual([]);
    expect([...a.lib.tree().keys()].sort()).toEqual(['app.log', 'other.txt']);
    const b = await makeNode(remote, 'b');
    await b.sync();
    expect((await readFile(join(b.dir, 'app.log'))).equals(await readFile(log))).toBe(true);
    await a.lib.close();
    await b.lib.close();
  });

  it('a file removed just as the scan reaches it is reported, and the round completes', async () => {
    const remote = createMemoryStorage();
    const a = await makeNode(remote, 'a');
    await writeFile(join(a.dir, 'draft.tmp.txt'), 'soon gone '.repeat(100));
    await writeFile(join(a.dir, 'other.txt'), 'other');
    const s = await a.lib.sync({
      onProgress: (p) => {
        if (p.phase === 'scan' && p.path === 'draft.tmp.txt') unlinkSync(join(a.dir, 'draft.tmp.txt'));
      },
    });
    expect(s.skipped).toEqual([{ path: 'draft.tmp.txt', reason: expect.stringMatching(/removed while being read/) }]);
    expect([...a.lib.tree().keys()]).toEqual(['other.txt']);
    await a.lib.close();
  });
});
