/**
 * A response's body read within its declared length and the caller's limit (adapter-kit's
 * body-reader.ts): copied straight into one buffer of the declared length; a body longer or
 * shorter than declared is an error, never a buffer of the wrong length; with a limit, no more is
 * read than it, whatever the server declares or sends, and the stream is given up there.
 */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { PREALLOCATE_AT_MOST, readBodyWithin } from '../../src/adapter-kit/index.js';

const pieces = [Buffer.from('hello '), Buffer.from('pack '), Buffer.from('bytes')];
const iterated = (from: Uint8Array[]) =>
  (async function* () {
    yield* from;
  })();
/** A body with no end that counts the pieces taken from it, and knows when its reader left. */
const endless = (seen: { pulled: number; ended: boolean }) =>
  (async function* () {
    try {
      for (;;) {
        seen.pulled++;
        yield Buffer.from('0123456789');
      }
    } finally {
      seen.ended = true;
    }
  })();

describe('a body read within its declared length and a limit', () => {
  it('is its pieces, in a buffer of the declared length, or of what came where none is declared', async () => {
    const body = await readBodyWithin(iterated(pieces), { declared: 16 });
    expect(body.toString()).toBe('hello pack bytes');
    expect(body.byteLength).toBe(16);
    expect((await readBodyWithin(iterated([]), { declared: 0 })).byteLength).toBe(0);
    expect((await readBodyWithin(iterated(pieces), {})).toString()).toBe('hello pack bytes');
  });

  it('longer or shorter than declared: an error, not a buffer', async () => {
    await expect(readBodyWithin(iterated(pieces), { declared: 10 })).rejects.toThrow('longer than the 10 bytes');
    await expect(readBodyWithin(iterated(pieces), { declared: 20 })).rejects.toThrow('ended after 16 of the 20 bytes');
    // Past what is allocated up front, the pieces are gathered, and must still add up.
    const big = Buffer.alloc(PREALLOCATE_AT_MOST + 1, 7);
    const halves = [big.subarray(0, 1000), big.subarray(1000)];
    expect((await readBodyWithin(iterated(halves), { declared: big.length })).equals(big)).toBe(true);
    await expect(readBodyWithin(iterated(halves), { declared: big.length + 1 })).rejects.toThrow(`ended after ${big.length} of the ${big.length + 1} bytes`);
    await expect(readBodyWithin(iterated([...halves, Buffer.from('x')]), { declared: big.length })).rejects.toThrow('longer than');
  });

  it('with a limit, stops reading there, whatever length is declared or none', async () => {
    for (const declared of [undefined, 1000, PREALLOCATE_AT_MOST + 1, 8 * 1024 ** 3]) {
      const seen = { pulled: 0, ended: false };
      const body = await readBodyWithin(endless(seen), { declared, limit: 25 });
      expect(body.toString(), String(declared)).toBe('0123456789012345678901234');
      expect(seen).toEqual({ pulled: 3, ended: true });
    }
    // A declared length within the limit is read whole, and a longer body is still an error.
    expect((await readBodyWithin(iterated(pieces), { declared: 16, limit: 100 })).toString()).toBe('hello pack bytes');
    await expect(readBodyWithin(iterated(pieces), { declared: 10, limit: 100 })).rejects.toThrow('longer than the 10 bytes');
    // One that ends before the limit: what came, where nothing was declared; cut short where it was.
    expect((await readBodyWithin(iterated(pieces), { limit: 100 })).toString()).toBe('hello pack bytes');
    await expect(readBodyWithin(iterated(pieces), { declared: 1000, limit: 100 })).rejects.toThrow('ended after 16 of the 1000 bytes');
  });

  it('stops at the limit without waiting for a cancel that never settles (a mocked fetch body)', async () => {
    let asked = 0;
    const stuck: AsyncIterable<Uint8Array> = {
      [Symbol.asyncIterator]: () => ({
        next: async () => ({ done: false, value: Buffer.from('0123456789') }),
        return: () => {
          asked++;
          return new Promise<IteratorResult<Uint8Array>>(() => undefined);
        },
      }),
    };
    expect((await readBodyWithin(stuck, { limit: 15 })).toString()).toBe('012345678901234');
    expect(asked).toBe(1); // cancelled all the same
  });

  it('from a Node stream, by its events: the same bytes and errors, and destroyed at the limit', async () => {
    expect((await readBodyWithin(Readable.from(pieces), { declared: 16 })).toString()).toBe('hello pack bytes');
    await expect(readBodyWithin(Readable.from(pieces), { declared: 10 })).rejects.toThrow('longer than the 10 bytes');
    await expect(readBodyWithin(Readable.from(pieces), { declared: 20 })).rejects.toThrow('ended after 16 of the 20 bytes');
    // A stream that breaks midway: its error, not a short buffer.
    const broken = new Readable({ read() {} });
    broken.push(pieces[0]);
    setImmediate(() => broken.destroy(new Error('socket hang up')));
    await expect(readBodyWithin(broken, { declared: 16 })).rejects.toThrow('socket hang up');
    // One closed early without an error (its socket went): what came is short of the length.
    const closed = new Readable({ read() {} });
    closed.push(pieces[0]);
    setImmediate(() => closed.destroy());
    await expect(readBodyWithin(closed, { declared: 16 })).rejects.toThrow('ended after 6 of the 16 bytes');
    // At the limit, the stream is destroyed: the rest never comes.
    const stream = new Readable({ read() {} });
    stream.push(Buffer.from('hello '));
    stream.push(Buffer.from('pack '));
    expect((await readBodyWithin(stream, { declared: 1000, limit: 8 })).toString()).toBe('hello pa');
    expect(stream.destroyed).toBe(true);
  });
});
