/**
 * codec/output-buffers.ts: what node:zlib writes its output into. A chunk decoded on the thread
 * pool comes back in one trip (its whole length is known), not a trip per 16 KiB; one compressed
 * there in a few. The bytes are the same, and a payload that decodes to more or fewer bytes than
 * its frame says is still refused, at every length around the pieces' edges.
 *
 * Trips are counted as node:zlib's handle calls back into JavaScript (async_hooks `before` on its
 * ZLIB resources): each is the pool handing a filled output buffer back to the main thread.
 */
import { createHook } from 'node:async_hooks';
import * as zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { compress, compressAsync, decompress, decompressAsync } from '../src/codec/compression.js';
import { inflateWithDictionary, inflateWithDictionaryAsync } from '../src/codec/dictionary-compression.js';
import { text } from './codec-inputs.js';

const DEFLATE = 1;
const ZSTD = 2;
const BROTLI = 3;
const z = zlib as unknown as { zstdCompressSync?: (b: Uint8Array) => Buffer };
const hasZstd = typeof z.zstdCompressSync === 'function';

/** `run`'s result, and how many times a zlib handle called back into JavaScript meanwhile. */
async function counted<T>(run: () => Promise<T>): Promise<{ result: T; trips: number }> {
  const zlibHandles = new Set<number>();
  let trips = 0;
  const hook = createHook({
    init: (id, type) => void (type === 'ZLIB' && zlibHandles.add(id)),
    before: (id) => void (zlibHandles.has(id) && trips++),
  }).enable();
  try {
    return { result: await run(), trips };
  } finally {
    hook.disable();
  }
}

const MiB = 1024 * 1024;
const payloads: [string, number, (b: Buffer) => Buffer][] = [
  ['deflate', DEFLATE, (b) => zlib.deflateRawSync(b)],
  ['brotli', BROTLI, (b) => zlib.brotliCompressSync(b)],
  ...(hasZstd ? [['zstd', ZSTD, (b: Buffer) => z.zstdCompressSync!(b)] as [string, number, (b: Buffer) => Buffer]] : []),
];

describe(`output buffers (Node ${process.versions.node}${hasZstd ? '' : ', no zstd in node:zlib'})`, () => {
  it('a large chunk decodes on the pool in one trip, whatever its codec', async () => {
    const original = text(MiB, 'one trip');
    for (const [name, codec, squeeze] of payloads) {
      const { result, trips } = await counted(() => decompressAsync(codec, squeeze(original), original.byteLength));
      expect(Buffer.compare(Buffer.from(result!), original), name).toBe(0);
      expect(trips, `${name}: trips to the pool for 1 MiB (64 with node:zlib's 16 KiB pieces)`).toBeLessThanOrEqual(2);
    }
    const dictionary = text(16 * 1024, 'dictionary');
    const withDictionary = zlib.deflateRawSync(original, { dictionary });
    const { result, trips } = await counted(() => inflateWithDictionaryAsync(withDictionary, original.byteLength, dictionary));
    expect(Buffer.compare(Buffer.from(result!), original)).toBe(0);
    expect(trips, 'with a dictionary').toBeLessThanOrEqual(2);
  });

  it('exactly the length the frame says, on the main thread and off it; one byte more or fewer is refused', async () => {
    for (const length of [0, 1, 63, 64, 65, 4095, 4096, 8192, 16_383, 16_384, 16_385, 100_000]) {
      const original = text(length, `length ${length}`);
      for (const [name, codec, squeeze] of payloads) {
        const payload = squeeze(original);
        const what = `${name}, ${length} bytes`;
        for (const out of [decompress(codec, payload, length), await decompressAsync(codec, payload, length)]) expect(Buffer.compare(Buffer.from(out!), original), what).toBe(0);
        expect(decompress(codec, payload, length + 1), `${what}, said to be one more`).toBeUndefined();
        expect(await decompressAsync(codec, payload, length + 1), `${what}, said to be one more, on the pool`).toBeUndefined();
        if (length === 0) continue;
        expect(decompress(codec, payload, length - 1), `${what}, said to be one fewer`).toBeUndefined();
        expect(await decompressAsync(codec, payload, length - 1), `${what}, said to be one fewer, on the pool`).toBeUndefined();
      }
      const dictionary = text(4096, 'page dictionary');
      const withDictionary = zlib.deflateRawSync(original, { dictionary });
      expect(Buffer.compare(Buffer.from(inflateWithDictionary(withDictionary, length, dictionary)!), original), `dictionary, ${length} bytes`).toBe(0);
      expect(Buffer.compare(Buffer.from((await inflateWithDictionaryAsync(withDictionary, length, dictionary))!), original)).toBe(0);
      if (length > 0) expect(await inflateWithDictionaryAsync(withDictionary, length - 1, dictionary), `dictionary, ${length} bytes said to be one fewer`).toBeUndefined();
    }
  });

  it('a large chunk compresses on the pool in a few trips, to what the main thread makes of it', async () => {
    const original = text(MiB, 'compressed in pieces');
    const { result, trips } = await counted(() => compressAsync(original));
    const here = compress(original);
    expect(result.codec).toBe(here.codec);
    expect(result.payload.byteLength).toBeLessThan(original.byteLength / 2);
    // Deflate's output does not depend on the buffers it is written into; zstd's frame may be cut
    // differently, and is checked by decoding it.
    if (result.codec === DEFLATE) expect(Buffer.compare(Buffer.from(result.payload), Buffer.from(here.payload))).toBe(0);
    expect(Buffer.compare(Buffer.from(decompress(result.codec, result.payload, original.byteLength)!), original)).toBe(0);
    // Its 64 KiB sample is tried first, then the whole in pieces of an eighth of it: 5 trips here,
    // where 16 KiB pieces made 15.
    expect(trips, `trips for 1 MiB compressed to ${result.payload.byteLength} bytes`).toBeLessThanOrEqual(6);
  });
});
