/**
 * How much of a GET's body a read takes (src/read.ts): its range, from wherever the server starts
 * (206: the range; 200: the object from its start up to the range's end), a little of an error's
 * message, and for a whole read one byte past the largest object the storage accepts
 * (maxObjectSize), which is then an error rather than data. The limits at work against a real server: hostile-body.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { DavContext } from '../src/context.js';
import type { DavRequest } from '../src/client.js';
import { get } from '../src/read.js';

const LARGEST = 1024 ** 3; // the default maxObjectSize

/** A context whose transport answers 200 with `body`, and records the limits the read asked for by status. */
function answering(body: { byteLength: number; subarray?: unknown }) {
  const limits: Record<number, number>[] = [];
  const transport = {
    url: (names: readonly string[]) => `http://dav.invalid/${names.join('/')}`,
    request: async (_method: string, _url: string, _what: string, request: DavRequest = {}) => {
      limits.push(Object.fromEntries([200, 206, 404, 500].map((status) => [status, request.bodyLimit!(status)])));
      return { status: 200, headers: { get: () => null }, body };
    },
  };
  const ctx = { transport, display: 'dav', maxObjectSize: LARGEST, collections: undefined, profile: undefined } as unknown as DavContext;
  return { ctx, limits };
}

describe("a GET's body limit", () => {
  it('is the range for a ranged read, and one past the largest object for a whole one', async () => {
    const small = answering(Buffer.from('0123456789'));
    expect(Buffer.from(await get(small.ctx, 'k', { range: { offset: 2, length: 3 } })).toString()).toBe('234');
    expect(Buffer.from(await get(small.ctx, 'k')).toString()).toBe('0123456789');
    expect(small.limits).toEqual([
      { 200: 5, 206: 3, 404: 64 * 1024, 500: 64 * 1024 },
      { 200: LARGEST + 1, 206: 64 * 1024, 404: 64 * 1024, 500: 64 * 1024 },
    ]);
  });

  it('a whole read that reaches it is Corrupt, not data', async () => {
    // Only its length is looked at: no gigabyte is allocated here.
    const huge = answering({ byteLength: LARGEST + 1 });
    await expect(get(huge.ctx, 'k')).rejects.toMatchObject({ code: 'Corrupt', message: expect.stringContaining('more than any object this storage accepts') });
    const largest = answering({ byteLength: LARGEST });
    expect((await get(largest.ctx, 'k')).byteLength).toBe(LARGEST);
  });
});
