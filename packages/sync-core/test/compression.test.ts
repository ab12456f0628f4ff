/**
 * Every reader decodes every codec (codec/compression.ts): a repository shared by a machine on
 * Node 22.15 or later (which writes zstd) and one on Node 20 (which has no zstd in node:zlib, and
 * decodes it with fzstd, loaded only then). The frame below was written by Node 24's zstd. And
 * format 6's brotli metadata, which every runtime writes and reads.
 */
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import * as zlib from 'node:zlib';
import { brotliCompressSync, deflateRawSync, gzipSync, inflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { compress, compressAsync, compressMetadata, decodeWithFzstd, decompress, decompressAsync, deflateOptions, incompressibleSample } from '../src/codec/compression.js';

const ZSTD = 2;
const original = Buffer.from('a chunk a Node 24 machine stored with zstd; '.repeat(40));
const fromNode24 = Buffer.from('KLUv/WDgBa0BAMQCYSBjaHVuayBhIE5vZGUgMjQgbWFjaGluZSBzdG9yZWQgd2l0aCB6c3RkOyABAIz1/aoM', 'base64');

describe(`zstd written by another runtime, read on Node ${process.versions.node}`, () => {
  it('decodes to the very bytes, on the main thread and off it', async () => {
    expect(Buffer.compare(Buffer.from(decompress(ZSTD, fromNode24, original.length)!), original)).toBe(0);
    expect(Buffer.compare(Buffer.from((await decompressAsync(ZSTD, fromNode24, original.length))!), original)).toBe(0);
  });

  it("through fzstd (Node 20's decoder, tried here on every runtime): the very bytes, and its buffer never made a string", () => {
    // fzstd 0.1.1 compares the buffer it decodes into with 1; a plain Uint8Array would be turned
    // into the string of its bytes each time (TypedArray.prototype.toString), which cost most of
    // a Node 20 download of a library written with zstd.
    const typedArrayProto = Object.getPrototypeOf(Uint8Array.prototype) as { toString: () => string };
    const toString = typedArrayProto.toString;
    let madeStrings = 0;
    typedArrayProto.toString = function (this: Uint8Array) {
      madeStrings++;
      return toString.call(this);
    };
    try {
      const out = decodeWithFzstd(fromNode24, original.length);
      expect(Buffer.compare(Buffer.from(out), original)).toBe(0);
      expect(Object.getPrototypeOf(out)).toBe(Uint8Array.prototype);
    } finally {
      typedArrayProto.toString = toString;
    }
    expect(madeStrings).toBe(0);
  });

  it('a damaged frame never decodes to the original (the hash check then refuses it)', () => {
    const damaged = Buffer.from(fromNode24);
    damaged[20] = damaged[20]! ^ 0xff;
    const out = decompress(ZSTD, damaged, original.length);
    expect(out === undefined || Buffer.compare(Buffer.from(out), original) !== 0).toBe(true);
  });
});

// Where this runtime writes zstd (Node 22.15 and later); on Node 20 it writes deflate, and CI runs
// this suite on Node 22 and 24 too.
const writesZstd = typeof (zlib as { zstdCompressSync?: unknown }).zstdCompressSync === 'function';
describe.skipIf(!writesZstd)(`zstd written here (Node ${process.versions.node})`, () => {
  it('every frame declares its content size, on the main thread and off it: zstd sizes its context by it', async () => {
    // A frame header's descriptor (its 5th byte): the top two bits say how the content size is
    // written; 0 with the single-segment bit clear means it is not (RFC 8878, §3.1.1.1.1).
    const declaresSize = (frame: Uint8Array) => frame[4]! >> 6 !== 0 || ((frame[4]! >> 5) & 1) === 1;
    for (const length of [4096, 26_000, 300_000]) {
      const bytes = Buffer.from('a note of words, words and more words; '.repeat(length / 39 + 1).slice(0, length));
      const here = compress(bytes);
      const pooled = await compressAsync(bytes);
      for (const { codec, payload } of [here, pooled]) {
        expect(codec, String(length)).toBe(ZSTD);
        expect(declaresSize(payload), String(length)).toBe(true);
        expect(Buffer.compare(Buffer.from(decompress(ZSTD, payload, length)!), bytes)).toBe(0);
        expect(Buffer.compare(Buffer.from(decodeWithFzstd(payload, length)), bytes)).toBe(0);
      }
    }
  });
});

describe('brotli metadata (format 6)', () => {
  const BROTLI = 3;
  // A segment names each chunk twice, megabytes apart (its version's list, then the chunk table).
  const ids = Array.from({ length: 20_000 }, (_, i) => createHash('sha256').update(String(i)).digest('hex'));
  const json = Buffer.from(JSON.stringify({ versions: [{ path: 'db.sqlite', chunks: ids }], chunks: [...ids].sort().map((id, i) => [id, 'packs/p', i * 4096, 1500]) }));

  it('finds what repeats from afar: a third smaller than deflate, which does not', () => {
    const { codec, payload } = compressMetadata(json);
    expect(codec).toBe(BROTLI);
    expect(payload.byteLength).toBeLessThan(0.75 * deflateRawSync(json, { level: 6 }).byteLength);
    expect(Buffer.compare(Buffer.from(decompress(codec, payload, json.byteLength)!), json)).toBe(0);
  });

  it('decodes off the main thread too; a payload that decodes to more or fewer bytes, or is damaged, is refused', async () => {
    const small = Buffer.from('{"syncacross":"author","name":"someone"} '.repeat(100));
    const { codec, payload } = compressMetadata(small);
    expect(Buffer.compare(Buffer.from((await decompressAsync(codec, payload, small.byteLength))!), small)).toBe(0);
    expect(decompress(codec, payload, small.byteLength - 1)).toBeUndefined(); // a bomb stops at the length it claims
    expect(decompress(codec, payload, small.byteLength + 1)).toBeUndefined();
    expect(decompress(codec, payload.subarray(0, payload.byteLength - 3), small.byteLength)).toBeUndefined();
  });

  it('keeps what does not compress as it is', () => {
    const noise = randomBytes(4096);
    expect(compressMetadata(noise)).toEqual({ codec: 0, payload: noise });
  });
});

describe('deflate sized to its input', () => {
  // Text that repeats from near and from afar, as notes and pages do.
  const text = (n: number, seed: number) => {
    const words = 'library note reference paper sync merge conflict version chunk pack segment'.split(' ');
    let x = seed;
    let out = '';
    while (out.length < n) {
      x = (x * 1103515245 + 12345) % 2 ** 31;
      out += `${words[x % words.length]} ${x % 97} `;
    }
    return Buffer.from(out.slice(0, n));
  };
  const dictionary = text(8 * 1024, 99);
  // Mostly literals: a block fills with symbols sooner than with repeated words.
  const noise = (n: number) => Buffer.from(randomBytes(n).toString('base64').slice(0, n));

  it('a small window and table give the bytes the defaults give, and inflate with the full window', () => {
    for (const n of [70, 3000, 4096, 12_000, 24_000, 40_000, 200_000]) {
      for (const dict of [undefined, dictionary]) {
        const input = text(n, n);
        const sized = deflateOptions(n, dict?.byteLength ?? 0);
        const small = deflateRawSync(input, { ...sized, ...(dict ? { dictionary: dict } : {}) });
        const defaults = deflateRawSync(input, { level: sized.level, ...(dict ? { dictionary: dict } : {}) });
        expect(Buffer.compare(small, defaults), `${n} bytes${dict ? ' with a dictionary' : ''}`).toBe(0);
        expect(Buffer.compare(inflateRawSync(small, dict ? { dictionary: dict } : {}), input)).toBe(0);
      }
    }
    for (const n of [3000, 8000, 12_000, 16_000]) {
      const input = noise(n);
      expect(Buffer.compare(deflateRawSync(input, deflateOptions(n)), deflateRawSync(input, { level: deflateOptions(n).level })), `${n} bytes of base64`).toBe(0);
    }
  });

  it('the window holds the input and the whole dictionary, and is the default for large inputs', () => {
    expect(deflateOptions(4096, 8192).windowBits).toBe(14);
    expect(deflateOptions(100).windowBits).toBe(9);
    expect(deflateOptions(32 * 1024)).toEqual({ level: deflateOptions(8 * 1024).level });
  });

  it('chunks under 8 KiB, compressed on the main thread, take the greedy level 3; larger ones level 5', () => {
    expect([deflateOptions(100).level, deflateOptions(4096, 8192).level, deflateOptions(8 * 1024 - 1).level]).toEqual([3, 3, 3]);
    expect([deflateOptions(8 * 1024).level, deflateOptions(40_000, 8192).level, deflateOptions(200_000).level]).toEqual([5, 5, 5]);
  });
});

describe('a large chunk judged on its first 64 KiB', () => {
  const SAMPLE = 64 * 1024;
  const prose = Buffer.from('a reference library note, synced between office and home. '.repeat(30_000));
  const compressed = {
    'random bytes': randomBytes(SAMPLE),
    'AES-CTR output': createCipheriv('aes-256-ctr', randomBytes(32), randomBytes(16)).update(Buffer.alloc(SAMPLE)),
    // Of base64: its literals take about 6 bits each. Deflate of hex (4-bit literals) measures
    // 7.989-7.993 bits a byte, and 2 % of such samples fell under 7.99 (this test failed once in
    // about fifty runs): those are tried, and stored as they are, which costs a trial, not bytes.
    deflate: deflateRawSync(Buffer.from(randomBytes(400_000).toString('base64'))).subarray(0, SAMPLE),
    gzip: gzipSync(Buffer.from(randomBytes(400_000).toString('base64'))).subarray(0, SAMPLE),
    brotli: brotliCompressSync(Buffer.from(randomBytes(400_000).toString('hex'))).subarray(0, SAMPLE),
  };

  it('compressed and encrypted bytes count as incompressible without a trial; text, a narrower alphabet and near repeats do not', () => {
    for (const [what, sample] of Object.entries(compressed)) {
      expect(sample.byteLength, what).toBe(SAMPLE);
      expect(incompressibleSample(sample), what).toBe(true);
      expect(deflateRawSync(sample, { level: 5 }).byteLength / SAMPLE, what).toBeGreaterThan(0.97); // and a trial agrees
    }
    const random = compressed['random bytes'];
    expect(incompressibleSample(prose.subarray(0, SAMPLE))).toBe(false);
    expect(incompressibleSample(Buffer.from(random.map((b) => b % 250)))).toBe(false); // 7.95 bits a byte
    expect(incompressibleSample(Buffer.concat(Array.from({ length: 64 }, () => random.subarray(0, 1024))))).toBe(false);
  });

  it('a chunk whose sample is that even is stored as it is, on either path; one whose sample is not is tried and compressed', async () => {
    const even = Buffer.concat([compressed['random bytes'], prose.subarray(0, 1024 * 1024)]); // the sample decides for the chunk, as before
    for (const { codec, payload } of [compress(even), await compressAsync(even)]) {
      expect(codec).toBe(0);
      expect(payload).toBe(even); // not copied either
    }
    const text = prose.subarray(0, 1024 * 1024);
    for (const { codec, payload } of [compress(text), await compressAsync(text)]) {
      expect(codec).not.toBe(0);
      expect(payload.byteLength).toBeLessThan(text.byteLength / 10);
    }
  });

  it("the price: a sample that is random but repeats itself within deflate's window is kept as it is, untried", async () => {
    // 40 KiB of random bytes and its last 24 KiB again: as even as random (7.995 bits a byte), and a
    // trial would take a third off. Compressed data does not hold such copies; this is the one case
    // the count gets wrong, and it costs stored size, never data.
    const random = randomBytes(40 * 1024);
    const repeating = Buffer.concat([random, random.subarray(16 * 1024), randomBytes(256 * 1024)]);
    expect(deflateRawSync(repeating.subarray(0, SAMPLE), { level: 5 }).byteLength / SAMPLE).toBeLessThan(0.7);
    expect((await compressAsync(repeating)).codec).toBe(0);
  });
});
