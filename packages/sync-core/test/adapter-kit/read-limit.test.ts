/**
 * How much of a GET's answer a read takes (adapter-kit's read-limit.ts): the range, from wherever
 * the server starts it; one byte past the largest object for a whole read; never the whole of what
 * a server that ignores the Range offers.
 */
import { describe, expect, it } from 'vitest';
import { declaredLength, readLimit, tooLargeForStorage } from '../../src/adapter-kit/index.js';

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

  it('counts on a declared length only where it is the length of what is read', () => {
    const headers = (h: Record<string, string>) => (name: string) => h[name] ?? null;
    expect(declaredLength(headers({ 'content-length': '1234' }), 200)).toBe(1234);
    expect(declaredLength(headers({ 'content-length': '1234', 'content-encoding': 'identity' }), 206)).toBe(1234);
    expect(declaredLength(headers({ 'content-length': '1234', 'content-encoding': 'gzip' }), 200)).toBeUndefined(); // decoded: another length
    expect(declaredLength(headers({ 'content-length': '1e3' }), 200)).toBeUndefined();
    expect(declaredLength(headers({ 'content-length': '-1' }), 200)).toBeUndefined();
    expect(declaredLength(headers({}), 200)).toBeUndefined();
    expect(declaredLength(headers({ 'content-length': '1234' }), 204)).toBeUndefined(); // no body, whatever it says
    expect(declaredLength(headers({ 'content-length': '1234' }), 200, 'HEAD')).toBeUndefined();
  });
});
