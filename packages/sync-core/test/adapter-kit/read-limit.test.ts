/**
 * How much of a GET's answer a read takes (adapter-kit's read-limit.ts): the range, from wherever
 * the server starts it; one byte past the largest object for a whole read; never the whole of what
 * a server that ignores the Range offers.
 */
import { describe, expect, it } from 'vitest';
import { readLimit, tooLargeForStorage } from '../../src/adapter-kit/index.js';

const range = { offset: 1000, length: 500 };

describe('the most of a GET answer a read takes', () => {
  it('is the range where the server answered it, and up to its end where it sent the object from its start', () => {
    expect(readLimit(range, true, 10_000)).toBe(500);
    expect(readLimit(range, false, 10_000)).toBe(1500);
  });

  it('is one byte past the largest object for a whole read, which is then too large to be the object', () => {
    expect(readLimit(undefined, false, 10_000)).toBe(10_001);
    expect(tooLargeForStorage(new Uint8Array(10_001), 10_000)).toBe(true);
    expect(tooLargeForStorage(new Uint8Array(10_000), 10_000)).toBe(false);
  });
});
