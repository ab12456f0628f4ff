/**
 * The upload and download pipelines overlap work (engine/packs.ts encodes several chunks at once,
 * write-versions.ts writes several files at once, chunk-fetcher.ts shares ranged reads between
 * them). Overlapping must change nothing but the time: the same packs, locations, files, reads.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryStorage } from '@syncacross/sync-core/testing';
import { FORMAT_1, format2Codec, storedBytes, type RepositoryCodec } from '../../src/codec/repository-codec.js';
import { ChunkFetcher } from '../../src/engine/chunk-fetcher.js';
import { PackWriter } from '../../src/engine/packs.js';
import type { ChunkLocation } from '../../src/model/chunk-location.js';
import { cleanup, makeNode, packedInMemory, snapshot } from './helpers.js';

afterEach(cleanup);
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
/** Bytes that do not compress, some 1-16 KiB (stored as is, so packs fill), some text (compressed on the thread pool). */
const noise = (seed: number, length: number) =>
  seed % 3 === 0
    ? Buffer.from(`text ${seed} `.repeat(length / 8))
    : Buffer.concat(Array.from({ length: Math.ceil(length / 32) }, (_, i) => createHash('sha256').update(`${seed}/${i}`).digest())).subarray(0, length);
/** Byte equality without the matcher's element-by-element walk (slow on megabytes). */
const same = (a: Uint8Array | undefined, b: Uint8Array) => a !== undefined && Buffer.compare(a, b) === 0;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Format 2's encoding, finishing in a scrambled order (a later chunk often before an earlier one). */
function scrambled(codec: RepositoryCodec): RepositoryCodec {
  let n = 0;
  return {
    ...codec,
    encodeChunk: async (hash, bytes) => {
      const out = await codec.encodeChunk(hash, bytes);
      await pause([7, 0, 3, 1, 5][n++ % 5]!);
      return out;
    },
  };
}

describe('encoding on the thread pool', () => {
  // Sizes around every cut-over between the main thread and the pool (1 KiB, 8 KiB, 16 KiB, 64 KiB).
  const sizes = [100, 1000, 1100, 8000, 9000, 16_000, 17_000, 60_000, 70_000, 300_000, 2_000_000];
  for (const encrypted of [false, true]) {
    it(`reads what the main thread wrote and the reverse, and refuses the same tampering (${encrypted ? 'encrypted' : 'plain'})`, async () => {
      const codec = format2Codec(encrypted ? new Uint8Array(32).fill(9) : undefined);
      // Not always the same bytes (zstd one-shot records the content size, streamed not; sealing
      // draws a nonce), but every reader decodes either.
      for (const size of sizes) {
        for (const bytes of [noise(size, size), noise(size + 1, size)]) {
          const hash = sha(bytes);
          const viaPool = storedBytes(await codec.encodeChunk(hash, bytes));
          const here = codec.storeChunk(hash, bytes);
          for (const stored of [viaPool, here]) {
            expect(same(codec.loadChunk(hash, stored), bytes), `${size} bytes`).toBe(true);
            expect(same(await codec.loadChunkAsync(hash, stored), bytes), `${size} bytes`).toBe(true);
            const flipped = Buffer.from(stored);
            flipped[flipped.length >> 1]! ^= 1;
            expect(codec.loadChunk(hash, flipped)).toBeUndefined();
            expect(await codec.loadChunkAsync(hash, flipped)).toBeUndefined();
            expect(await codec.loadChunkAsync(hash, stored.subarray(0, stored.byteLength - 1))).toBeUndefined();
            expect(await codec.loadChunkAsync(sha(Buffer.from('another chunk')), stored)).toBeUndefined(); // moved to another id
          }
        }
      }
    });
  }
});

describe('the upload pipeline (PackWriter)', () => {
  it('chunks encoded out of order land in order, each once, where their locations say', async () => {
    const storage = createMemoryStorage();
    const codec = format2Codec();
    const located: ChunkLocation[] = [];
    const stored = (h: string) => located.some((l) => l[0] === h); // as the state answers: located once uploaded
    const writer = new PackWriter(storage, scrambled(codec), (l) => located.push(...l), stored, 64 * 1024);
    // 15 repeats: some while the first copy is still encoding or in the open pack, some after it went out.
    const chunks = Array.from({ length: 60 }, (_, i) => noise(i % 45, 4096 + ((i % 45) % 7) * 1500));
    for (let i = 0; i < 8; i++) chunks.splice(10 + i * 5, 0, chunks[8 + i * 5]!);
    for (const c of chunks) await writer.add(sha(c), c);
    await writer.flush();

    const distinct = new Map(chunks.map((c) => [sha(c), c]));
    expect(located.map((l) => l[0]).sort()).toEqual([...distinct.keys()].sort()); // each chunk once
    expect(writer.packsWritten).toBeGreaterThan(3);
    let previous: ChunkLocation | undefined;
    for (const [hash, pack, offset, length] of located) {
      const stored = storage.debug.raw(pack)!.subarray(offset, offset + length);
      expect(same(codec.loadChunk(hash, stored), distinct.get(hash)!)).toBe(true); // the bytes the location names
      // Within a pack, in the order they were added (the first appearance of each).
      if (previous && previous[1] === pack) expect(offset).toBe(previous[2] + previous[3]);
      previous = [hash, pack, offset, length];
    }
    const order = [...distinct.keys()];
    expect(located.map((l) => l[0])).toEqual(order);
  });
});

describe('the upload pipeline at the default pack size', () => {
  // Full-size pack buffers are allocated past 32 MiB (packs.ts, PACK_ALLOCATION): a pack must
  // still be exactly its chunks, none of the room behind them.
  it('a pack is exactly its chunks, in order, whatever room its buffer had', async () => {
    const chunks = Array.from({ length: 40 }, (_, i) => randomBytes(1024 * 1024 + i)); // incompressible, 40 MiB
    const { storage, byHash } = await packedInMemory(chunks); // the default pack size
    const located = [...byHash.values()].map(([l]) => l!);
    const packs = new Set(located.map((l) => l[1]));
    expect(packs.size).toBe(2);
    for (const pack of packs) {
      const raw = storage.debug.raw(pack)!;
      expect(pack).toBe(`packs/${sha(raw)}`);
      expect(raw.byteLength).toBe(located.filter((l) => l[1] === pack).reduce((n, l) => n + l[3], 0)); // no room left behind the last chunk
    }
    expect(located.map((l) => l[0])).toEqual(chunks.map(sha));
    located.forEach(([, pack, offset, length], i) => expect(same(storage.debug.raw(pack)!.subarray(offset, offset + length), chunks[i]!)).toBe(true));
  });
});

describe('the upload pipeline: one pack uploads while the next fills', () => {
  /**
   * A pack writer (64 KiB packs) over memory storage whose pack puts wait until `release` is
   * called; it records when each put began and ended, and what was located.
   */
  function heldPuts(fail?: Error) {
    const storage = createMemoryStorage();
    const events: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const held = {
      ...storage,
      putIfAbsent: async (key: string, bytes: Uint8Array) => {
        if (!key.startsWith('packs/')) return storage.putIfAbsent(key, bytes);
        events.push(`start ${key}`);
        await gate;
        if (fail) throw fail;
        const r = await storage.putIfAbsent(key, bytes);
        events.push(`end ${key}`);
        return r;
      },
    };
    const located: ChunkLocation[] = [];
    const writer = new PackWriter(
      held,
      format2Codec(),
      (l) => located.push(...l),
      () => false,
      64 * 1024,
    );
    return { storage, writer, located, events, release };
  }
  const chunks = Array.from({ length: 24 }, (_, i) => noise(3 * i + 1, 16 * 1024)); // incompressible: 4 fill a 64 KiB pack

  it('the adds that fill the next pack go on while the previous pack is being stored; packs go out one at a time, in order', async () => {
    const { storage, writer, located, events, release } = heldPuts();
    // Up to 8 chunks encode ahead of the pack; after 15 adds, 7 are placed: the first pack (4) is
    // full and out, held, and the second fills behind it.
    for (const c of chunks.slice(0, 15)) await writer.add(sha(c), c);
    expect(events.filter((e) => e.startsWith('start'))).toHaveLength(1);
    expect(located).toEqual([]); // not stored yet, so not located
    release();
    for (const c of chunks.slice(15)) await writer.add(sha(c), c);
    await writer.flush();
    // Each pack's put ended before the next began.
    for (let i = 0; i < events.length; i += 2) {
      expect(events[i]).toMatch(/^start /);
      expect(events[i + 1]).toBe(events[i]!.replace('start', 'end'));
    }
    expect(events.length / 2).toBe(writer.packsWritten);
    expect(located.map((l) => l[0])).toEqual(chunks.map(sha)); // in the order added, each where its location says
    for (const [hash, pack, offset, length] of located)
      expect(
        same(
          format2Codec().loadChunk(hash, storage.debug.raw(pack)!.subarray(offset, offset + length)),
          chunks.find((c) => sha(c) === hash)!,
        ),
      ).toBe(true);
  });

  it('a pack whose upload fails while the next fills fails the flush, and locates nothing', async () => {
    const { writer, located, release } = heldPuts(new Error('the disk is full'));
    for (const c of chunks.slice(0, 15)) await writer.add(sha(c), c);
    release();
    await expect(writer.flush()).rejects.toThrow('the disk is full');
    expect(located).toEqual([]);
  });
});

describe('the download pipeline', () => {
  it('concurrent reads of neighbouring chunks share one ranged read, each verified', async () => {
    const chunks = Array.from({ length: 40 }, (_, i) => Buffer.from(`neighbour ${i} `.repeat(100)));
    const { storage, byHash } = await packedInMemory(chunks);
    let reads = 0;
    const counting = { ...storage, get: (key: string, o?: Parameters<typeof storage.get>[1]) => (reads++, storage.get(key, o)) };
    const fetcher = new ChunkFetcher(counting, FORMAT_1, (h) => byHash.get(h) ?? []);
    fetcher.plan(byHash.keys());
    const got = await Promise.all(chunks.map((c) => fetcher.get(sha(c))));
    expect(got.every((b, i) => same(b, chunks[i]!))).toBe(true);
    expect(reads).toBe(1);
  });

  it('a library written several files at a time matches one written a file at a time, encrypted or not', async () => {
    const kdf = { N: 2 ** 10, r: 8, p: 1 };
    for (const encrypt of [false, true]) {
      const secure = { newRepository: { format: 2 as const, encrypt, kdf }, secret: { passphrase: 'a passphrase' } };
      const remote = createMemoryStorage();
      const a = await makeNode(remote, 'a', secure);
      for (let d = 0; d < 5; d++) {
        await mkdir(join(a.dir, `folder-${d}`));
        for (let f = 0; f < 40; f++) await writeFile(join(a.dir, `folder-${d}`, `note-${f}.md`), `# note ${d}/${f}\n${'text '.repeat(50 + f * 97)}`);
      }
      await writeFile(join(a.dir, 'large.bin'), Buffer.alloc(3 * 1024 * 1024, 7));
      await a.sync();
      const serial = await makeNode(remote, 'serial', { ...secure, fetchConcurrency: 1 });
      const parallel = await makeNode(remote, 'parallel', { ...secure, fetchConcurrency: 8 });
      for (const n of [serial, parallel]) expect((await n.sync()).errors).toEqual([]);
      const expected = await snapshot(a.dir);
      expect(await snapshot(serial.dir)).toEqual(expected);
      expect(await snapshot(parallel.dir)).toEqual(expected);
      // No temporary file left beside the written ones.
      for (let d = 0; d < 5; d++) expect((await readdir(join(parallel.dir, `folder-${d}`))).filter((n) => n.includes('syncacross-tmp'))).toEqual([]);
      for (const n of [a, serial, parallel]) await n.lib.close();
    }
  });
});
