/**
 * Sealing draws its nonces a thousand at a time (codec/frame.ts). What must hold whatever the
 * batching: no two seals share a nonce, and a sealed chunk still opens after later seals, even
 * when its parts are copied into a pack only then (the parts hold a view of the batch).
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { open, seal, sealParts } from '../src/codec/frame.js';

const key = randomBytes(32);
const aad = (i: number) => `syncacross/2 chunk ${i}`;

describe('nonces of sealed objects', () => {
  it('are never repeated across batches, and a seal kept aside still opens after thousands more', () => {
    const kept = Array.from({ length: 4 }, (_, i) => ({ i, parts: sealParts(key, [Buffer.from([i]), randomBytes(0)], aad(i)) }));
    const nonces = new Set<string>();
    for (const { parts } of kept) nonces.add(Buffer.from(parts[0]!).toString('hex'));
    for (let i = 0; i < 3000; i++) {
      const parts = i % 2 ? sealParts(key, [randomBytes(5), randomBytes(40)], aad(i)) : [seal(key, randomBytes(45), aad(i))];
      const nonce = Buffer.from(parts[0]!.subarray(0, 12)).toString('hex');
      expect(nonces.has(nonce), `seal ${i} reused a nonce`).toBe(false);
      nonces.add(nonce);
    }
    expect(nonces.size).toBe(3004);
    // Copied into a "pack" only now, as PackWriter may do for a chunk that waited its turn.
    for (const { i, parts } of kept) expect(open(key, Buffer.concat(parts), aad(i))).toEqual(Buffer.from([i]));
  });
});
