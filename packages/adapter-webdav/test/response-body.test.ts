/**
 * A response's body is copied once into a buffer of its declared length (src/response-body.ts),
 * and read as before wherever that length is not what is read: an answer whose length is missing
 * or malformed, or of a coded body; with a limit, such a body is read up to it. How the body is
 * read within its length and a limit: sync-core's test/adapter-kit/body-reader.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { readBody, type FetchedBody } from '../src/response-body.js';

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

  it('read as before where the declared length is not what is read', async () => {
    for (const headers of <Record<string, string>[]>[
      {}, // none (chunked)
      { 'content-length': '16', 'content-encoding': 'gzip' }, // node-fetch inflates: another length
      { 'content-length': '1e3' },
      { 'content-length': '-16' },
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

  it('with a limit, an answer of no declared length (none, or coded) is read up to it, not as before', async () => {
    for (const headers of <Record<string, string>[]>[{}, { 'content-encoding': 'gzip' }]) {
      const r = response(headers, pieces);
      expect((await readBody(r, 'GET', 8)).toString()).toBe('hello pa');
      expect(r.arrayBufferCalls(), JSON.stringify(headers)).toBe(0);
    }
    // A coded body's Content-Length is of the coded bytes: never taken for the length read.
    expect((await readBody(response({ 'content-length': '3', 'content-encoding': 'gzip' }, pieces), 'GET', 100)).toString()).toBe('hello pack bytes');
  });
});
