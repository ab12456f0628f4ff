/**
 * Sealing draws its nonces a thousand at a time (codec/frame.ts). What must hold whatever the
 * batching: no two seals share a nonce, and a sealed chunk still opens after later seals,
 * whether sealed into a buffer of its own or into a pack's, behind other chunks.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { open, seal, SEAL_OVERHEAD, sealPartsInto } from '../src/codec/frame.js';

const key = randomBytes(32);
const aad = (i: number) => `syncacross/2 chunk ${i}`;

/** `parts` sealed into a buffer of their own, behind `before` bytes of something else (a pack's earlier chunks). */
function sealedInto(parts: Buffer[], i: number, before = 0): Buffer {
  const length = parts.reduce((n, p) => n + p.byteLength, 0) + SEAL_OVERHEAD;
  const target = Buffer.alloc(before + length + 3, 0xee);
  expect(sealPartsInto(key, parts, aad(i), target, before)).toBe(length);
  expect(target.subarray(before + length).equals(Buffer.alloc(3, 0xee))).toBe(true); // nothing written past it
  return target.subarray(before, before + length);
}

describe('nonces of sealed objects', () => {
  it('are never repeated across batches, and a seal kept aside still opens after thousands more', () => {
    const kept = Array.from({ length: 4 }, (_, i) => ({ i, sealed: sealedInto([Buffer.from([i]), randomBytes(0)], i, 7 * i) }));
    const nonces = new Set<string>();
    for (const { sealed } of kept) nonces.add(sealed.subarray(0, 12).toString('hex'));
    for (let i = 0; i < 3000; i++) {
      const sealed = i % 2 ? sealedInto([randomBytes(5), randomBytes(40 * 1024)], i, i % 5) : seal(key, randomBytes(45), aad(i));
      const nonce = sealed.subarray(0, 12).toString('hex');
      expect(nonces.has(nonce), `seal ${i} reused a nonce`).toBe(false);
      nonces.add(nonce);
    }
    expect(nonces.size).toBe(3004);
    for (const { i, sealed } of kept) expect(open(key, sealed, aad(i))).toEqual(Buffer.from([i]));
    const large = randomBytes(100 * 1024 + 3); // several pieces enciphered in place, the last one short
    expect(open(key, sealedInto([large.subarray(0, 1000), large.subarray(1000)], 9, 11), aad(9))).toEqual(large);
  });

  it('seals every byte value exactly, into a plain Uint8Array that is a view of a larger buffer', () => {
    // Each piece's ciphertext comes back as a latin1 string (frame.ts, CIPHERTEXT_AS_STRINGS):
    // every byte, 0x80-0xff too, must be written back as itself, at the view's place.
    const plain = Buffer.alloc(3 * 32 * 1024 + 17);
    for (let i = 0; i < plain.byteLength; i++) plain[i] = (i * 7) & 0xff;
    const memory = new ArrayBuffer(plain.byteLength + SEAL_OVERHEAD + 64);
    const target = new Uint8Array(memory, 24, plain.byteLength + SEAL_OVERHEAD + 8);
    new Uint8Array(memory).fill(0xee);
    expect(sealPartsInto(key, [plain.subarray(0, 5), plain.subarray(5)], aad(1), target, 3)).toBe(plain.byteLength + SEAL_OVERHEAD);
    const sealed = Buffer.from(memory, 24 + 3, plain.byteLength + SEAL_OVERHEAD);
    expect(open(key, sealed, aad(1))).toEqual(plain);
    expect(new Uint8Array(memory, 0, 24 + 3).every((b) => b === 0xee)).toBe(true); // nothing written before it
    expect(new Uint8Array(memory, 24 + 3 + sealed.byteLength).every((b) => b === 0xee)).toBe(true); // nor after
  });
});
