/**
 * Every reader decodes every codec (codec/compression.ts): a repository shared by a machine on
 * Node 22.15 or later (which writes zstd) and one on Node 20 (which has no zstd in node:zlib, and
 * decodes it with fzstd, loaded only then). The frame below was written by Node 24's zstd. And
 * format 6's brotli metadata, which every runtime writes and reads.
 */
import { createHash, randomBytes } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { compressMetadata, decompress, decompressAsync } from '../src/codec/compression.js';

const ZSTD = 2;
const original = Buffer.from('a chunk a Node 24 machine stored with zstd; '.repeat(40));
const fromNode24 = Buffer.from('KLUv/WDgBa0BAMQCYSBjaHVuayBhIE5vZGUgMjQgbWFjaGluZSBzdG9yZWQgd2l0aCB6c3RkOyABAIz1/aoM', 'base64');

describe(`zstd written by another runtime, read on Node ${process.versions.node}`, () => {
  it('decodes to the very bytes, on the main thread and off it', async () => {
    expect(Buffer.compare(Buffer.from(decompress(ZSTD, fromNode24, original.length)!), original)).toBe(0);
    expect(Buffer.compare(Buffer.from((await decompressAsync(ZSTD, fromNode24, original.length))!), original)).toBe(0);
  });

  it('a damaged frame never decodes to the original (the hash check then refuses it)', () => {
    const damaged = Buffer.from(fromNode24);
    damaged[20] = damaged[20]! ^ 0xff;
    const out = decompress(ZSTD, damaged, original.length);
    expect(out === undefined || Buffer.compare(Buffer.from(out), original) !== 0).toBe(true);
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
