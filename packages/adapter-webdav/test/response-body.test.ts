/**
 * A response's body is copied once into a buffer of its declared length (src/response-body.ts),
 * and read as before wherever that length cannot be trusted to be what is read: an answer whose
 * length is missing, malformed, past the cap, or of a coded body. A body longer or shorter than
 * declared is an error, never a buffer of the wrong length. With a limit, no more than it is read,
 * whatever the server declares or sends.
 */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { MAX_PREALLOCATED, readBody, type FetchedBody } from '../src/response-body.js';

/** A response whose body comes in `pieces`; counts calls to arrayBuffer(), the old way. */
function response(headers: Record<string, string>, pieces: Uint8Array[], status = 200): FetchedBody & { arrayBufferCalls: () => number } {
  let calls = 0;
  return {
    status,
    headers: { get: (name) => headers[name.toLowerCase()] ?? null },
    body: (async function* () {
      yield* pieces;
    })(),
    arrayBuffer: async () => {
      calls++;
      const whole = Buffer.concat(pieces);
      return whole.buffer.slice(whole.byteOffset, whole.byteOffset + whole.byteLength);
    },
    arrayBufferCalls: () => calls,
  };
}

const pieces = [Buffer.from('hello '), Buffer.from('pack '), Buffer.from('bytes')];

describe("a response's body", () => {
  it('with a declared length and no coding: the pieces in one buffer of that length, without arrayBuffer()', async () => {
    const r = response({ 'content-length': '16' }, pieces);
    const body = await readBody(r, 'GET');
    expect(body.toString()).toBe('hello pack bytes');
    expect(body.byteLength).toBe(16);
    expect(r.arrayBufferCalls()).toBe(0);
    expect((await readBody(response({ 'content-length': '16', 'content-encoding': 'identity' }, pieces), 'GET')).toString()).toBe('hello pack bytes');
    expect((await readBody(response({ 'content-length': '0' }, []), 'GET')).byteLength).toBe(0);
  });

  it('read as before where the declared length is not what is read, or is not to be trusted with an allocation', async () => {
    for (const headers of <Record<string, string>[]>[
      {}, // none (chunked)
      { 'content-length': '16', 'content-encoding': 'gzip' }, // node-fetch inflates: another length
      { 'content-length': '1e3' },
      { 'content-length': '-16' },
      { 'content-length': String(MAX_PREALLOCATED + 1) }, // a claim past the cap allocates nothing up front
    ]) {
      const r = response(headers, pieces);
      expect((await readBody(r, 'GET')).toString()).toBe('hello pack bytes');
      expect(r.arrayBufferCalls(), JSON.stringify(headers)).toBe(1);
    }
  });

  it('none for a HEAD, a 204 or a 304, whatever length they declare', async () => {
    const head = response({ 'content-length': '16' }, []);
    expect((await readBody(head, 'HEAD')).byteLength).toBe(0);
    expect(head.arrayBufferCalls()).toBe(1);
    for (const status of [204, 304]) expect((await readBody(response({ 'content-length': '16' }, [], status), 'GET')).byteLength).toBe(0);
  });

  it('longer or shorter than declared: an error, not a buffer', async () => {
    await expect(readBody(response({ 'content-length': '10' }, pieces), 'GET')).rejects.toThrow('longer than the 10 bytes');
    await expect(readBody(response({ 'content-length': '20' }, pieces), 'GET')).rejects.toThrow('ended after 16 of the 20 bytes');
  });

  it('from a Node stream (a direct read), by its events, to the same bytes and the same errors', async () => {
    const streamed = (length: string, from: Uint8Array[] = pieces, body: Readable = Readable.from(from)) => ({ ...response({ 'content-length': length }, []), body });
    const read = streamed('16');
    expect((await readBody(read, 'GET')).toString()).toBe('hello pack bytes');
    expect(read.arrayBufferCalls()).toBe(0);
    await expect(readBody(streamed('10'), 'GET')).rejects.toThrow('longer than the 10 bytes');
    await expect(readBody(streamed('20'), 'GET')).rejects.toThrow('ended after 16 of the 20 bytes');
    // A stream that breaks midway: its error, not a short buffer.
    const broken = new Readable({ read() {} });
    broken.push(pieces[0]);
    setImmediate(() => broken.destroy(new Error('socket hang up')));
    await expect(readBody(streamed('16', [], broken), 'GET')).rejects.toThrow('socket hang up');
    // One closed early without an error (its socket went): what came is short of the length.
    const closed = new Readable({ read() {} });
    closed.push(pieces[0]);
    setImmediate(() => closed.destroy());
    await expect(readBody(streamed('16', [], closed), 'GET')).rejects.toThrow('ended after 6 of the 16 bytes');
  });

  it('with a limit, stops reading there, whatever length is declared or none', async () => {
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
    for (const headers of <Record<string, string>[]>[{}, { 'content-length': String(MAX_PREALLOCATED + 1) }, { 'content-length': '1000' }, { 'content-encoding': 'gzip' }]) {
      const seen = { pulled: 0, ended: false };
      const r = { ...response(headers, []), body: endless(seen) };
      const body = await readBody(r, 'GET', 25);
      expect(body.toString(), JSON.stringify(headers)).toBe('0123456789012345678901234');
      expect(seen).toEqual({ pulled: 3, ended: true });
      expect(r.arrayBufferCalls()).toBe(0);
    }
    // A declared length within the limit is read whole, and a body longer than it is still an error.
    expect((await readBody(response({ 'content-length': '16' }, pieces), 'GET', 100)).toString()).toBe('hello pack bytes');
    await expect(readBody(response({ 'content-length': '10' }, pieces), 'GET', 100)).rejects.toThrow('longer than the 10 bytes');
    // A body shorter than the limit: what came.
    expect((await readBody(response({}, pieces), 'GET', 100)).toString()).toBe('hello pack bytes');
    // A Node stream is destroyed once the limit is reached: the rest never comes.
    const stream = new Readable({ read() {} });
    stream.push(Buffer.from('hello '));
    stream.push(Buffer.from('pack '));
    const read = readBody({ ...response({ 'content-length': '1000' }, []), body: stream }, 'GET', 8);
    expect((await read).toString()).toBe('hello pa');
    expect(stream.destroyed).toBe(true);
  });
});
