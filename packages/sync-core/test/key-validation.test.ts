/**
 * Core validates keys once, in `checkedStorage`, so adapters only do I/O: a key that breaks the
 * rules is refused with InvalidKey before any adapter sees it. (The conformance suite checks the
 * adapters' side: keys core lets through that a backend could still misread.)
 */
import { describe, expect, it } from 'vitest';
import { checkedStorage, type Storage } from '@syncacross/sync-core';
import { createMemoryStorage } from '@syncacross/sync-core/testing';

const BAD_KEYS = ['../escape', '/abs', 'a//b', 'a/./b', 'nul\u0000byte', 'C:/win', 'back\\slash', 'trailing/', 'e\u0301-nfd'];

/** A memory store that records every key it is asked about. */
function recording(): { storage: Storage; seen: string[] } {
  const m = createMemoryStorage();
  const seen: string[] = [];
  const storage: Storage = {
    ...m,
    putIfAbsent: (k, b) => (seen.push(k), m.putIfAbsent(k, b)),
    get: (k, o) => (seen.push(k), m.get(k, o)),
    list: (p, o) => (seen.push(p), m.list(p, o)),
    delete: (k) => (seen.push(k), m.delete!(k)),
    putIfMatch: (k, b, e) => (seen.push(k), m.putIfMatch!(k, b, e)),
  };
  return { storage, seen };
}

describe('core refuses keys that break the key rules before any adapter sees them', () => {
  for (const bad of BAD_KEYS) {
    it(`refuses ${JSON.stringify(bad)} with InvalidKey`, async () => {
      const { storage, seen } = recording();
      const s = checkedStorage(storage);
      await expect(s.putIfAbsent(bad, new Uint8Array(1))).rejects.toMatchObject({ code: 'InvalidKey' });
      await expect(s.get(bad)).rejects.toMatchObject({ code: 'InvalidKey' });
      await expect(s.delete!(bad)).rejects.toMatchObject({ code: 'InvalidKey' });
      await expect(s.putIfMatch!(bad, new Uint8Array(1), 'etag')).rejects.toMatchObject({ code: 'InvalidKey' });
      await expect(s.list('', { startAfter: bad })).rejects.toMatchObject({ code: 'InvalidKey' });
      expect(seen).toEqual([]);
    });
  }
});

describe('core refuses memory to read into that cannot hold the range', () => {
  it('refuses `into` without a range, or shorter than it, before any adapter sees it', async () => {
    const { storage, seen } = recording();
    const s = checkedStorage(storage);
    await s.putIfAbsent('k', new Uint8Array(10));
    seen.length = 0;
    await expect(s.get('k', { into: new Uint8Array(10) })).rejects.toThrow(/`into` must come with a range it can hold/);
    await expect(s.get('k', { range: { offset: 0, length: 5 }, into: new Uint8Array(4) })).rejects.toThrow(TypeError);
    expect(seen).toEqual([]);
    expect(await s.get('k', { range: { offset: 2, length: 5 }, into: new Uint8Array(5) })).toHaveLength(5);
  });
});
