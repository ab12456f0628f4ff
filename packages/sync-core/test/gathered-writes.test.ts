/**
 * local/gathered-writes.ts: a file's chunks written in order, small ones gathered into one writev.
 * The file must hold exactly the chunks in order, whatever their sizes and number (past the
 * buffers one writev may take), and a short writev (which the OS may return) must go on where it
 * stopped: the hook below makes writev write only part of what it is given, as a real one may.
 */
import { closeSync, fstatSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { GatheredWrites } from '../src/local/gathered-writes.js';

/** When set, writev writes only this many bytes of what it is given (then returns that count). */
const shortWrites = vi.hoisted(() => ({ upTo: undefined as number | undefined, calls: 0 }));
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const writevSync = ((fd: number, buffers: readonly NodeJS.ArrayBufferView[], position?: number) => {
    shortWrites.calls++;
    if (shortWrites.upTo === undefined) return fs.writevSync(fd, buffers, position);
    const all = Buffer.concat(buffers.map((b) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength)));
    return fs.writeSync(fd, all, 0, Math.min(shortWrites.upTo, all.length));
  }) as typeof fs.writevSync;
  return { ...fs, default: { ...fs, writevSync }, writevSync };
});

const dir = mkdtempSync(join(tmpdir(), 'gathered-writes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => {
  shortWrites.upTo = undefined;
  shortWrites.calls = 0;
});

/** `sizes` chunks of distinct bytes, written through GatheredWrites; the file's bytes and the chunks' concatenation. */
function writeChunks(name: string, sizes: number[]): { file: Buffer; expected: Buffer } {
  const chunks = sizes.map((n, i) => Buffer.alloc(n, (i * 37 + 11) % 256));
  const path = join(dir, name);
  const fd = openSync(path, 'w');
  try {
    const gathered = new GatheredWrites(fd);
    for (const chunk of chunks) gathered.add(chunk);
    gathered.flush();
  } finally {
    closeSync(fd);
  }
  return { file: readFileSync(path), expected: Buffer.concat(chunks) };
}

describe('gathered writes', () => {
  it('write every chunk in order: pages past the buffers one writev takes, large chunks, one chunk, none', () => {
    const cases: [string, number[]][] = [
      ['pages', Array.from({ length: 1000 }, () => 4096)],
      ['mixed', [1, 4096, 3 * 1024 * 1024, 10, 65536, 2 * 1024 * 1024, 4096, 7]],
      ['one', [12345]],
      ['none', []],
    ];
    for (const [name, sizes] of cases) {
      const { file, expected } = writeChunks(name, sizes);
      expect(Buffer.compare(file, expected), name).toBe(0);
    }
    expect(shortWrites.calls).toBeGreaterThan(0); // pages were gathered: a writev each 256 of them
  });

  it('tells of each chunk once its bytes are in the file, and counts them', () => {
    const path = join(dir, 'told');
    const fd = openSync(path, 'w');
    const told: [number, number][] = []; // each chunk's length, and the file's size when told of it
    try {
      const gathered = new GatheredWrites(fd, (chunk) => told.push([chunk.byteLength, fstatSync(fd).size]));
      const sizes = [...Array.from({ length: 300 }, () => 4096), 2 * 1024 * 1024, 7];
      let before = 0;
      for (const n of sizes) gathered.add(Buffer.alloc(n, 1));
      gathered.flush();
      expect(told.map(([n]) => n)).toEqual(sizes);
      for (const [n, size] of told) expect(size).toBeGreaterThanOrEqual((before += n));
      expect(gathered.total).toBe(before);
    } finally {
      closeSync(fd);
    }
  });

  it('a short writev goes on where it stopped, mid-chunk too', () => {
    for (const upTo of [0, 1, 4095, 4096, 4097, 100_000]) {
      shortWrites.upTo = upTo;
      const { file, expected } = writeChunks(
        `short-${upTo}`,
        Array.from({ length: 300 }, (_, i) => 1000 + i),
      );
      expect(Buffer.compare(file, expected), `writev writing ${upTo} bytes`).toBe(0);
    }
  });
});
