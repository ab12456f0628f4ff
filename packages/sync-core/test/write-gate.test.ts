/** gateWrites: reads go straight through; the first write runs the check once; a failed check fails every write; counts stay the inner storage's. */
import { expect, it } from 'vitest';
import { withCounting } from '@syncacross/sync-core';
import { createMemoryStorage } from '@syncacross/sync-core/testing';
import { gateWrites } from '../src/storage/wrappers/write-gate.js';

it('holds writes back until the check passes, running it once; reads and counts are untouched', async () => {
  const inner = withCounting(createMemoryStorage());
  let checks = 0;
  const gated = gateWrites(inner, async () => void checks++);
  await gated.list('');
  expect(checks).toBe(0);
  await gated.putIfAbsent('a', new Uint8Array(1));
  await gated.putIfAbsent('b', new Uint8Array(1));
  await gated.delete!('a');
  expect(checks).toBe(1);
  expect(gated.totalRequests()).toBe(4);
  expect(inner.stats.requests).toMatchObject({ list: 1, putIfAbsent: 2, delete: 1 });
});

it('a failed check fails that write and every later one, and nothing is written', async () => {
  const inner = createMemoryStorage();
  const gated = gateWrites(inner, () => Promise.reject(Object.assign(new Error('not ours'), { code: 'RemoteEmptied' })));
  await expect(gated.putIfAbsent('a', new Uint8Array(1))).rejects.toThrow('not ours');
  await expect(gated.delete!('a')).rejects.toThrow('not ours');
  expect(inner.debug.keys()).toEqual([]);
});
