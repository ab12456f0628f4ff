/**
 * A Response an SDK may read whole (adapter-kit's bounded-response.ts): what it reads of an answer
 * is at most the limit; past it an error's body just ends (its status still speaks) and any other
 * answer fails to read, and the rest of the original body is left unread.
 */
import { describe, expect, it } from 'vitest';
import { boundedResponse } from '../../src/adapter-kit/index.js';

/** A body with no end that counts the pieces taken from it, and knows when it was cancelled. */
function endless(seen: { pulled: number; cancelled: boolean }, piece = '0123456789'): ReadableStream<Uint8Array> {
  return new ReadableStream({
    pull(controller) {
      seen.pulled++;
      controller.enqueue(new TextEncoder().encode(piece));
    },
    cancel() {
      seen.cancelled = true;
    },
  });
}

const tooLarge = () => new Error('the answer is larger than this adapter takes');

describe('a response whose body an SDK may read whole', () => {
  it('is the same answer while the body stays within the limit', async () => {
    const original = new Response('{"value":[1,2,3]}', { status: 200, statusText: 'OK', headers: { 'content-type': 'application/json', 'x-id': '7' } });
    const bounded = boundedResponse(original, 1024, tooLarge);
    expect(bounded.status).toBe(200);
    expect(bounded.statusText).toBe('OK');
    expect(bounded.headers.get('x-id')).toBe('7');
    expect(await bounded.json()).toEqual({ value: [1, 2, 3] });
    const exact = boundedResponse(new Response('0123456789'), 10, tooLarge);
    expect(await exact.text()).toBe('0123456789');
  });

  it('past the limit, an answer fails to read and the rest is not read', async () => {
    const seen = { pulled: 0, cancelled: false };
    const bounded = boundedResponse(new Response(endless(seen), { status: 200 }), 1000, tooLarge);
    await expect(bounded.json()).rejects.toThrow('larger than this adapter takes');
    expect(seen.pulled).toBeLessThan(110); // 1,000 bytes in pieces of 10, and the stream's look-ahead
    expect(seen.cancelled).toBe(true);
  });

  it("past the limit, an error's body ends there and the status stays", async () => {
    const seen = { pulled: 0, cancelled: false };
    const bounded = boundedResponse(new Response(endless(seen), { status: 503, headers: { 'retry-after': '1' } }), 25, 'cut');
    expect(bounded.status).toBe(503);
    expect(bounded.headers.get('retry-after')).toBe('1');
    expect(await bounded.text()).toBe('0123456789012345678901234');
    expect(seen.cancelled).toBe(true);
  });

  it('a body cut short by the connection fails to read, as before', async () => {
    let sent = false;
    const torn = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent) return controller.error(new TypeError('terminated'));
        sent = true;
        controller.enqueue(new TextEncoder().encode('{"value":['));
      },
    });
    await expect(boundedResponse(new Response(torn), 1000, tooLarge).text()).rejects.toThrow('terminated');
  });

  it('an answer with no body is itself', () => {
    const none = new Response(null, { status: 204 });
    expect(boundedResponse(none, 10, tooLarge)).toBe(none);
  });
});
