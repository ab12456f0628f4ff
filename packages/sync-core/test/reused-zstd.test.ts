/**
 * codec/reused-zstd.ts compresses and decompresses small chunks through zstd streams kept from one
 * input to the next. What it writes must be the one-shot's bytes exactly (`zstdCompressSync` with
 * the size pledged, as compression.ts writes), and what `decompress` answers for any payload, the
 * one-shot's answer: damaged, truncated, padded or hostile payloads never throw, never abort the
 * process, never spoil the next input. Node 20 has no zstd in node:zlib: there the kept functions
 * answer undefined and the rest is skipped (it runs on Node 22 and 24: scripts/test-on-node.sh).
 */
import * as zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decompress } from '../src/codec/compression.js';
import { declaredSize, zstdCompressKept, zstdDecompressKept } from '../src/codec/reused-zstd.js';
import { bytes, hostileVersions, text } from './codec-inputs.js';

interface ZstdZlib {
  zstdCompressSync?: (b: Uint8Array, o: object) => Buffer;
  zstdDecompressSync?: (b: Uint8Array, o: object) => Buffer;
  constants: Record<string, number>;
}
const z = zlib as unknown as ZstdZlib;
const hasZstd = typeof z.zstdCompressSync === 'function';
const ZSTD = 2; // codec 2 (docs/PROTOCOL.md §3.5)

/** What compression.ts writes for a chunk, the one-shot way. */
const oneShot = (input: Uint8Array) => z.zstdCompressSync!(input, { params: { [z.constants.ZSTD_c_compressionLevel!]: 3 }, pledgedSrcSize: input.byteLength });

/** The one-shot decoder's answer as `decompress` gave it before: exactly `length` bytes, or undefined. */
function oneShotRead(payload: Uint8Array, length: number): string | undefined {
  try {
    const out = z.zstdDecompressSync!(payload, { maxOutputLength: Math.max(1, length) });
    return out.byteLength === length ? out.toString('hex') : undefined;
  } catch {
    return undefined;
  }
}

const inputs = (seed: string) => [
  ...[1, 63, 64, 100, 1000, 4096, 4097, 8191, 26_000, 65_535].map((n) => text(n, `${seed}/t${n}`)),
  ...[64, 4096, 8000, 65_535].map((n) => bytes(n, `${seed}/r${n}`)), // incompressible: raw blocks, the frame larger than the input
  Buffer.alloc(8000), // all zeros: one RLE block
  Buffer.concat([text(2048, `${seed}/a`), bytes(2048, `${seed}/b`)]),
];

it.skipIf(hasZstd)(`without zstd in node:zlib (Node ${process.versions.node}) nothing is kept: the caller's one-shot path runs`, () => {
  expect(zstdCompressKept(text(4096, 'page'), 3)).toBeUndefined();
  expect(zstdDecompressKept(Buffer.from('anything'), 8)).toBeUndefined();
});

describe.skipIf(!hasZstd)(`zstd through kept streams (Node ${process.versions.node})`, () => {
  it('writes the very bytes the one-shot writes, input after input, and reads them back', () => {
    for (let round = 0; round < 3; round++) {
      for (const input of inputs(`round${round}`)) {
        const written = zstdCompressKept(input, 3);
        expect(written && Buffer.compare(written, oneShot(input)), `${input.byteLength} bytes, round ${round}`).toBe(0);
        const read = zstdDecompressKept(written!, input.byteLength);
        expect(read && Buffer.compare(read, input), `${input.byteLength} bytes read back, round ${round}`).toBe(0);
      }
    }
  });

  it('answers for a damaged, truncated, padded, longer or shorter payload what the one-shot answers, and reads the next one right', () => {
    const input = text(4096, 'page');
    const good = oneShot(input);
    const hostile = hostileVersions(good, 4096, 5);
    for (const [what, payload, length] of hostile) {
      const read = decompress(ZSTD, payload, length);
      expect(read === undefined ? undefined : Buffer.from(read).toString('hex'), what).toBe(oneShotRead(payload, length));
      const next = zstdDecompressKept(good, 4096);
      expect(next && Buffer.compare(next, input), `the input after: ${what}`).toBe(0);
    }
  });

  it("keeps no compressor at another level than zstd's default (a reset on Node 22 would bring it back to that)", () => {
    expect(zstdCompressKept(text(4096, 'page'), 9)).toBeUndefined();
  });

  it('reads the content size a frame declares, in each of its header layouts (RFC 8878 §3.1.1.1)', () => {
    for (const n of [0, 1, 255, 256, 300, 65535, 65791, 65792, 70000, 1 << 20]) expect(declaredSize(oneShot(Buffer.alloc(n, 7))), `${n} bytes`).toBe(n);
    const magic = Buffer.from([0x28, 0xb5, 0x2f, 0xfd]);
    // Not single-segment: a window descriptor first; a 4-byte dictionary id; an 8-byte size.
    expect(declaredSize(Buffer.concat([magic, Buffer.from([0xc3, 0x50, 1, 2, 3, 4, 0x10, 0x27, 0, 0, 0, 0, 0, 0])]))).toBe(10000);
    expect(declaredSize(Buffer.concat([magic, Buffer.from([0x00, 0x50, 0, 0])]))).toBeUndefined(); // no size declared
    expect(declaredSize(Buffer.concat([magic, Buffer.from([0x80, 0x50])]))).toBeUndefined(); // cut short
    expect(declaredSize(Buffer.from('not a zstd frame'))).toBeUndefined();
  });

  it('leaves a frame declaring no size, or a chunk over 1 MiB, to the one-shot decoder, which reads it', () => {
    const zeros = Buffer.alloc(1024 * 1024);
    const declared = oneShot(zeros); // magic (4), descriptor 0xa0 (a 4-byte content size, single segment), the size (4), blocks
    expect(declared.subarray(4, 5)).toEqual(Buffer.from([0xa0]));
    // The same blocks behind a header that declares no content size and a 1 MiB window
    // (descriptor 0, window descriptor exponent 10): a context decodes it through a window of its own.
    const undeclared = Buffer.concat([declared.subarray(0, 4), Buffer.from([0x00, 0x50]), declared.subarray(9)]);
    const twice = Buffer.alloc(2 * 1024 * 1024);
    for (const [what, payload, length] of [
      ['no size declared', undeclared, zeros.byteLength],
      ['over 1 MiB', oneShot(twice), twice.byteLength],
    ] as const) {
      expect(payload.byteLength, what).toBeLessThan(8 * 1024);
      expect(zstdDecompressKept(payload, length), what).toBeUndefined();
      const read = decompress(ZSTD, payload, length);
      expect(read && Buffer.compare(read, Buffer.alloc(length)), what).toBe(0);
    }
    expect(Buffer.compare(zstdDecompressKept(declared, zeros.byteLength)!, zeros)).toBe(0);
    const page = text(4096, 'after');
    expect(Buffer.compare(zstdDecompressKept(oneShot(page), 4096)!, page)).toBe(0);
  });
});
