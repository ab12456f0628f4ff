/**
 * Chunk boundaries are part of the format (docs/PROTOCOL.md §3.4): two nodes deduplicate only if
 * they cut the same content alike, whatever their version. These are the cuts of the gear chunker
 * on fixed pseudo-random data, recorded once; a faster chunker (SIMD, a worker, another loop)
 * must reproduce them exactly.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { cdcBoundaries, DEFAULT_CHUNKING, type ChunkingParams } from '../../src/model/chunker.js';
import { randomData } from './helpers.js';

const digest = (lengths: number[]) => createHash('sha256').update(lengths.join(',')).digest('hex');

describe('chunk boundaries stay what they were', () => {
  const cases: { name: string; size: number; seed: number; params: ChunkingParams; count: number; first: number[]; digest: string }[] = [
    {
      name: '40 MiB, default sizes',
      size: 40 * 1024 * 1024,
      seed: 2026,
      params: DEFAULT_CHUNKING,
      count: 33,
      first: [397968, 952660, 853577, 1073439, 1435156, 543486],
      digest: '32cf73b8ea3df3a782a7265636a652e92522178b59254d1dec1ec7749f8ef36d',
    },
    {
      name: '3 MiB, small sizes',
      size: 3 * 1024 * 1024,
      seed: 7,
      params: { minSize: 1024, avgSize: 4096, maxSize: 16 * 1024 },
      count: 651,
      first: [3141, 8377, 4755, 7809, 4148, 6285],
      digest: '1ab9c1680ae09a9d4c41b2aa9f8304a5cd93801067a27d7a115e7a3f119dd4fe',
    },
  ];
  for (const c of cases) {
    it(`cuts ${c.name} as recorded`, () => {
      const lengths = cdcBoundaries(randomData(c.size, c.seed), c.params);
      expect(lengths.reduce((a, b) => a + b, 0)).toBe(c.size);
      expect({ count: lengths.length, first: lengths.slice(0, 6), digest: digest(lengths) }).toEqual({ count: c.count, first: c.first, digest: c.digest });
    });
  }
});
