/** withCounting: requests by kind, bytes both ways, and a reset that callers holding the stats see. */
import { expect, it } from 'vitest';
import { withCounting } from '@syncacross/sync-core';
import { createMemoryStorage } from '@syncacross/sync-core/testing';

it('counts requests and bytes, and resetStats zeroes the very objects a caller holds', async () => {
  const s = withCounting(createMemoryStorage());
  const requests = s.stats.requests;
  await s.putIfAbsent('a', new Uint8Array(10));
  await s.get('a');
  await s.list('');
  expect(requests).toMatchObject({ putIfAbsent: 1, get: 1, list: 1 });
  expect([s.stats.bytesUp, s.stats.bytesDown, s.totalRequests()]).toEqual([10, 10, 3]);
  s.resetStats();
  expect(s.stats.requests).toBe(requests);
  expect(requests).toEqual({ putIfAbsent: 0, get: 0, list: 0, delete: 0, putIfMatch: 0 });
  await s.get('a');
  expect(requests.get).toBe(1);
  expect(s.stats.bytesDown).toBe(10);
});
