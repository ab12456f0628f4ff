/**
 * An encrypted download opens each chunk in the bytes it was read into, where no writer needs
 * them again (frame.ts `openInPlace`, chunk-fetcher.ts): no buffer as large as the chunk is
 * allocated for its plaintext. A chunk two files hold is still written right in both, and a use
 * beyond the plan reads the chunk again rather than taking plaintext for ciphertext.
 */
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { format2Codec } from '../../src/codec/repository-codec.js';
import { open, openInPlace, seal } from '../../src/codec/frame.js';
import { ChunkFetcher } from '../../src/engine/chunk-fetcher.js';
import type { ChunkLocation } from '../../src/model/chunk-location.js';
import { packedInMemory } from './helpers.js';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const key = new Uint8Array(32).fill(7);

describe('openInPlace', () => {
  it('answers what open answers, in the memory of the sealed bytes, and nothing for altered or cut bytes', () => {
    const plain = randomBytes(300 * 1024 + 5); // several pieces, the last one short
    const sealed = seal(key, plain, 'aad');
    const copy = Buffer.from(sealed);
    const opened = openInPlace(key, copy, 'aad')!;
    expect(Buffer.from(opened).equals(plain)).toBe(true);
    expect(Buffer.from(open(key, sealed, 'aad')!).equals(plain)).toBe(true);
    expect(opened.buffer).toBe(copy.buffer);

    const altered = Buffer.from(sealed);
    altered[1000] = altered[1000]! ^ 1;
    expect(openInPlace(key, altered, 'aad')).toBeUndefined();
    expect(openInPlace(key, Buffer.from(sealed.subarray(0, sealed.byteLength - 1)), 'aad')).toBeUndefined();
    expect(openInPlace(key, Buffer.from(sealed), 'other aad')).toBeUndefined();
  });
});

/** Chunks that do not compress (their plaintext frames are stored as is), sealed into packs. */
async function encryptedLibrary(chunks: Buffer[], bogus?: (byHash: Map<string, ChunkLocation[]>) => [string, ChunkLocation]) {
  const codec = format2Codec(key);
  const { storage, byHash } = await packedInMemory(chunks, { codec });
  if (bogus) {
    const [hash, location] = bogus(byHash);
    byHash.set(hash, [location]);
  }
  const reads: ArrayBufferLike[] = [];
  let requests = 0;
  const recording = {
    ...storage,
    get: async (k: string, o?: Parameters<typeof storage.get>[1]) => {
      requests++;
      const bytes = await storage.get(k, o);
      reads.push(bytes.buffer);
      return bytes;
    },
  };
  const fetcher = new ChunkFetcher(recording, codec, (h) => byHash.get(h) ?? []);
  return { fetcher, reads, requests: () => requests };
}

describe('an encrypted download', () => {
  it('opens chunks where they were read, except one a later file needs again', async () => {
    const chunks = Array.from({ length: 6 }, () => randomBytes(200 * 1024));
    const lib = await encryptedLibrary(chunks);
    // Two files: the first holds chunks 0-3, the second chunk 2 again and chunks 4-5.
    const files = [
      [0, 1, 2, 3],
      [2, 4, 5],
    ].map((f) => f.map((i) => chunks[i]!));
    lib.fetcher.plan(files.flat().map(sha));
    const got: Uint8Array[] = [];
    for (const file of files) for (const chunk of file) got.push(await lib.fetcher.get(sha(chunk)));
    expect(got.map((g) => Buffer.from(g).toString('hex'))).toEqual(files.flat().map((c) => c.toString('hex')));
    // Planned once: opened in the bytes read (a view of them); chunk 2's first use is not its last.
    expect(lib.reads).toContain(got[0]!.buffer);
    expect(lib.reads).not.toContain(got[2]!.buffer);
    expect(lib.reads).toContain(got[4]!.buffer);
  });

  it('reads a chunk again for uses beyond the plan, at once or later, and each is right', async () => {
    const chunks = Array.from({ length: 4 }, () => randomBytes(200 * 1024));
    const lib = await encryptedLibrary(chunks);
    lib.fetcher.plan(chunks.map(sha)); // each once
    const twice = sha(chunks[1]!);
    const atOnce = await Promise.all([lib.fetcher.get(sha(chunks[0]!)), lib.fetcher.get(twice), lib.fetcher.get(twice)]);
    expect(atOnce.map((g) => Buffer.from(g).toString('hex'))).toEqual([chunks[0], chunks[1], chunks[1]].map((c) => c!.toString('hex')));
    const before = lib.requests();
    expect(Buffer.from(await lib.fetcher.get(twice)).equals(chunks[1]!)).toBe(true);
    expect(lib.requests()).toBe(before + 1);
  });

  it('reads a chunk again when a location a hostile segment gave overlapped it and was opened in place first', async () => {
    const [w, y] = [randomBytes(200 * 1024), randomBytes(200 * 1024)];
    const x = sha(randomBytes(10)); // no such chunk: its location points into y's bytes
    const lib = await encryptedLibrary([w, y], (byHash) => {
      const [, pack, offset, length] = byHash.get(sha(y))![0]!;
      return [x, [x, pack, offset + 16, length - 16]];
    });
    lib.fetcher.plan([sha(w), sha(y), x]);
    expect(Buffer.from(await lib.fetcher.get(sha(w))).equals(w)).toBe(true); // one read brings y and x's bytes too
    await expect(lib.fetcher.get(x)).rejects.toThrow(/does not match its hash/);
    expect(Buffer.from(await lib.fetcher.get(sha(y))).equals(y)).toBe(true);
  });
});
