/**
 * Every reader decodes every codec (codec/compression.ts): a repository shared by a machine on
 * Node 22.15 or later (which writes zstd) and one on Node 20 (which has no zstd in node:zlib, and
 * decodes it with fzstd, loaded only then). The frame below was written by Node 24's zstd.
 */
import { describe, expect, it } from 'vitest';
import { decompress, decompressAsync } from '../src/codec/compression.js';

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
