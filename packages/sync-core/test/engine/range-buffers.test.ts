/**
 * A download reads its ranges into buffers used again (engine/range-buffers.ts, chunk-fetcher.ts),
 * where new memory for each range cost the benchmark library 39 full garbage collections. Each
 * buffer goes back only once every use of its bytes is released, and goes back transferred: a
 * view kept past its release (a bug) holds 0 bytes, never the next range's, and the materializer
 * then fails the file instead of writing it.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { FORMAT_1, format2Codec, type RepositoryCodec } from '../../src/codec/repository-codec.js';
import { ChunkFetcher } from '../../src/engine/chunk-fetcher.js';
import { RangeBuffers } from '../../src/engine/range-buffers.js';
import { writeVersion } from '../../src/local/materialize.js';
import type { HashedVersion } from '../../src/model/version.js';
import type { GetOptions, Storage } from '../../src/storage/contract.js';
import { packedInMemory } from './helpers.js';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const dir = mkdtempSync(join(tmpdir(), 'range-buffers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

describe('range buffers', () => {
  it('give a buffer back at its last release, detached, and lend its memory again', () => {
    const buffers = new RangeBuffers(1024, 4096);
    const lent = buffers.lend(100);
    expect(lent.byteLength).toBe(1024); // the least a buffer is made
    lent.fill(0x5a, 0, 100);
    const bytes = lent.subarray(0, 100);
    buffers.filled(lent, bytes, 1); // the read's use
    const chunk = bytes.subarray(10, 20);
    buffers.hold(chunk); // a writer's
    buffers.release(bytes);
    expect(chunk.byteLength).toBe(10); // still in use
    buffers.release(chunk);
    expect(chunk.byteLength).toBe(0); // detached: a view kept too long reads nothing
    expect(bytes.byteLength).toBe(0);
    const allocations = vi.spyOn(Buffer, 'allocUnsafeSlow');
    const again = buffers.lend(50);
    expect(again.byteLength).toBe(1024);
    expect(again[99]).toBe(0x5a); // the same memory
    expect(allocations).not.toHaveBeenCalled();
  });

  it('take back at once a buffer the storage did not read into, and keep no more than their budget', () => {
    const buffers = new RangeBuffers(1024, 2048);
    const allocations = vi.spyOn(Buffer, 'allocUnsafeSlow');
    const lent = buffers.lend(10);
    buffers.filled(lent, new Uint8Array(10), 1); // the storage read elsewhere
    buffers.lend(10);
    expect(allocations).toHaveBeenCalledTimes(1);

    const three = [buffers.lend(10), buffers.lend(10), buffers.lend(10)];
    expect(allocations).toHaveBeenCalledTimes(4);
    for (const b of three) {
      buffers.filled(b, b.subarray(0, 10), 1);
      buffers.release(b);
    }
    for (let i = 0; i < 3; i++) buffers.lend(10);
    expect(allocations).toHaveBeenCalledTimes(5); // 2 × 1024 bytes were kept, the third let go
  });

  it('lend the smallest buffer given back that holds the range, and ignore memory they never lent', () => {
    const buffers = new RangeBuffers(1024, 1 << 20);
    const [large, small] = [buffers.lend(4096), buffers.lend(100)];
    for (const b of [large, small]) {
      buffers.filled(b, b, 1);
      buffers.release(b);
    }
    expect(buffers.lend(500).byteLength).toBe(1024);
    expect(buffers.lend(500).byteLength).toBe(4096);
    const foreign = new Uint8Array(8);
    buffers.hold(foreign);
    buffers.release(foreign);
    expect(foreign.byteLength).toBe(8);
  });
});

/** A storage that reads ranges into the memory it is offered, as the folder adapter does; it records what it was offered. */
function readingInto(storage: Storage) {
  const offered: boolean[] = [];
  const s: Storage = {
    ...storage,
    capabilities: { ...storage.capabilities, cheapRequests: true },
    async get(key: string, o?: GetOptions) {
      const bytes = await storage.get(key, o && { range: o.range });
      offered.push(o?.into !== undefined);
      if (!o?.into) return bytes;
      o.into.set(bytes);
      return o.into.subarray(0, bytes.byteLength);
    },
  };
  return { storage: s, offered };
}

/** `files` files of 1-5 chunks of 64-700 KiB, stored in packs; written eight at a time, each chunk released once compared. */
async function download(codec: RepositoryCodec, reusesBuffers: boolean) {
  const files = Array.from({ length: 40 }, (_, f) => Array.from({ length: 1 + (f % 5) }, (_, c) => randomBytes(64 * 1024 + (((f * 5 + c) * 97_531) % (636 * 1024)))));
  const packed = await packedInMemory(files.flat(), { codec });
  const { storage, offered } = readingInto(packed.storage);
  const fetcher = new ChunkFetcher(storage, codec, (h) => packed.byHash.get(h) ?? [], undefined, { reusesBuffers });
  fetcher.plan(files.flat().map(sha));
  const allocations = vi.spyOn(Buffer, 'allocUnsafeSlow');
  let wrong = 0;
  let next = 0;
  const writer = async () => {
    for (let f = next++; f < files.length; f = next++) {
      for (const chunk of files[f]!) {
        const got = await fetcher.get(sha(chunk));
        if (Buffer.compare(got, chunk) !== 0) wrong++;
        await new Promise((r) => setTimeout(r, f % 3)); // a disk write
        fetcher.release(got);
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, writer));
  return { wrong, reads: offered.length, offered: offered.filter(Boolean).length, allocated: allocations.mock.calls.length };
}

describe('a download into range buffers', () => {
  for (const [name, codec] of [
    ['plain', FORMAT_1],
    ['encrypted (chunks opened in place)', format2Codec(new Uint8Array(32).fill(3))],
  ] as const) {
    it(`reads many ranges into a few buffers, every chunk right (${name})`, async () => {
      const got = await download(codec, true);
      expect(got.wrong).toBe(0);
      expect(got.reads).toBeGreaterThan(40);
      expect(got.offered).toBe(got.reads);
      expect(got.allocated).toBeLessThan(got.reads / 2);
    });
  }

  it('offers no memory to read into where its caller does not release chunks', async () => {
    const got = await download(FORMAT_1, false);
    expect(got.wrong).toBe(0);
    expect(got.offered).toBe(0);
  });
});

describe('a chunk whose buffer went back before it was written', () => {
  it('fails its file, which is not put in place, where releasing it right leaves the file right', async () => {
    const content = randomBytes(300 * 1024);
    const packed = await packedInMemory([content]);
    const version = { hash: 'v', path: 'f', kind: 'file', size: content.byteLength, chunks: [sha(content)], mtime: 0, parents: [] } as unknown as HashedVersion;
    const fetcherFor = () => new ChunkFetcher(readingInto(packed.storage).storage, FORMAT_1, (h) => packed.byHash.get(h) ?? [], undefined, { reusesBuffers: true });

    const early = fetcherFor();
    // A caller with a bug: it lets go of each chunk before writing it.
    const buggy = { get: async (h: string) => ((c) => (early.release(c), c))(await early.get(h)) };
    await expect(writeVersion(dir, 'early', version, buggy, undefined, '')).rejects.toThrow(/0 bytes were written where its version has 307200/);
    expect(existsSync(join(dir, 'early'))).toBe(false);

    await writeVersion(dir, 'right', version, fetcherFor(), undefined, '');
    expect(readFileSync(join(dir, 'right')).equals(content)).toBe(true);
  });
});
