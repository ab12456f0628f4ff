/** A checker that cannot fail proves nothing: each deliberately broken adapter must be caught. */
import { posix } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StorageError, type Storage } from '@syncacross/sync-core';
import { checkStorageConformance, type ConformanceFixture, createMemoryStorage, withChangeFeed, withCheckThenWrite, withFaults, withIgnoredPreconditions } from '@syncacross/sync-core/testing';

const unreachable = () => withFaults(createMemoryStorage(), { down: true });
const small = { largeObjectBytes: 256 * 1024 };

async function failuresOf(make: () => Storage, fixture: Partial<ConformanceFixture> = {}) {
  const results = await checkStorageConformance(async () => ({ storage: make(), unreachable, ...fixture }), small);
  return results.filter((r) => !r.ok);
}

describe('the conformance suite catches broken adapters', () => {
  it('passes the reference adapter (the baseline for the cases below)', async () => {
    expect(await failuresOf(() => createMemoryStorage())).toEqual([]);
  });

  it('catches a backend that silently ignores create-if-absent', async () => {
    const failed = await failuresOf(() => withIgnoredPreconditions(createMemoryStorage()));
    expect(failed.map((f) => f.name)).toContain('a second putIfAbsent answers exists and leaves the content unchanged');
  });

  it('catches a check-then-write backend that claims atomic create', async () => {
    const failed = await failuresOf(() => withCheckThenWrite(createMemoryStorage(), { claimAtomic: true }));
    expect(failed.map((f) => f.error).join('\n')).toMatch(/atomicCreate is claimed but \d+ of 16/);
  });

  it('catches an adapter that reports an unreachable backend as empty', async () => {
    const emptyWhenDown = (): Storage => ({
      ...createMemoryStorage(),
      list: async () => ({ objects: [] }),
      get: async (k) => {
        throw new StorageError('NotFound', k);
      },
    });
    const failed = await failuresOf(() => createMemoryStorage(), { unreachable: emptyWhenDown });
    expect(failed.map((f) => f.name)).toEqual(['answers NotFound for a missing key, and never "empty" or NotFound when unreachable']);
  });

  it('catches a listing that drops the last page', async () => {
    const dropsPages = (): Storage => {
      const m = createMemoryStorage();
      return { ...m, list: async (p, o) => ({ objects: (await m.list(p, { ...o, pageSize: 10 })).objects }) };
    };
    const failed = await failuresOf(dropsPages);
    expect(failed.map((f) => f.name)).toContain('pages through a long listing, each key once, and honors startAfter');
  });

  it('catches an adapter that keeps the buffer it was given instead of its bytes', async () => {
    const keepsBuffers = (): Storage => {
      const m = createMemoryStorage();
      const kept = new Map<string, Uint8Array>();
      return {
        ...m,
        async putIfAbsent(key, bytes) {
          const r = await m.putIfAbsent(key, bytes);
          if (r === 'created') kept.set(key, bytes); // the caller's buffer itself, not a copy
          return r;
        },
        get: async (key, o) => (kept.has(key) && !o?.range ? Uint8Array.from(kept.get(key)!) : m.get(key, o)),
      };
    };
    const failed = await failuresOf(keepsBuffers);
    expect(failed.map((f) => f.error)).toContain('ConformanceFailure: the object changed when the caller wrote over the buffer it had put');
  });

  it('passes an adapter that reads ranges into the memory offered (the baseline for the two below)', async () => {
    expect(await failuresOf(() => readingInto(() => undefined))).toEqual([]);
  });

  it('catches an adapter that answers all the memory it was offered to read into, not the range', async () => {
    const failed = await failuresOf(() => readingInto((into) => into));
    expect(failed.map((f) => f.error)).toContain('ConformanceFailure: a middle range read into offered memory differs from the stored bytes');
  });

  it('catches an adapter that writes to the memory it was offered after it answered', async () => {
    const failed = await failuresOf(() => readingInto((into) => void setTimeout(() => into.fill(1), 5)));
    expect(failed.map((f) => f.error)).toContain('ConformanceFailure: the offered memory changed after get answered (a middle range)');
  });

  it('catches a listing that loses objects when asked for no etags', async () => {
    const leanLosesEmpty = (): Storage => {
      const m = createMemoryStorage();
      return { ...m, list: async (p, o) => ({ ...(await m.list(p, o)), objects: (await m.list(p, o)).objects.filter((x) => o?.etags !== false || x.size > 0) }) };
    };
    const failed = await failuresOf(leanLosesEmpty);
    expect(failed.map((f) => f.name)).toEqual(['a listing asked for no etags lists the same keys, sizes and times']);
  });

  it('catches an adapter whose writes appear before they are complete', async () => {
    const torn = (): Storage => {
      const m = createMemoryStorage();
      return {
        ...m,
        async putIfAbsent(key, bytes) {
          if (bytes.byteLength < 100_000) return m.putIfAbsent(key, bytes);
          m.debug.overwrite(key, bytes.subarray(0, bytes.byteLength >> 1)); // half visible...
          await new Promise((r) => setTimeout(r, 20));
          m.debug.overwrite(key, bytes); // ...then whole
          return 'created';
        },
      };
    };
    const failed = await failuresOf(torn);
    expect(failed.map((f) => f.name)).toContain('never shows a partial object while a large write is in flight');
  });

  it('accepts a store that declares in-place writes and shows other clients only a growing prefix', async () => {
    const failed = await failuresOf(() => writesInPlace((bytes) => bytes.subarray(0, bytes.byteLength >> 1), 'whole-on-answer'));
    expect(failed).toEqual([]);
  });

  it('catches a store declaring in-place writes that shows bytes which are not a prefix', async () => {
    const failed = await failuresOf(() => writesInPlace((bytes) => new Uint8Array(bytes.byteLength >> 1).fill(7), 'whole-on-answer'));
    expect(failed.map((f) => f.error).join('\n')).toMatch(/not a prefix of the object being written/);
  });

  it('catches a store declaring in-place writes that answers before the object is whole', async () => {
    const failed = await failuresOf(() => writesInPlace((bytes) => bytes.subarray(0, bytes.byteLength >> 1), 'answers-early'));
    expect(failed.map((f) => f.error).join('\n')).toMatch(/differs once the write answered|bytes once the write answered/);
  });

  it('catches a backend that decodes %2E and resolves dot segments, writing outside its root', async () => {
    const failed = await failuresOf(() => behindPathRewrite((key) => posix.normalize(key.replace(/%2e/gi, '.'))));
    expect(failed.map((f) => f.name)).toEqual([HOSTILE_KEYS]);
    expect(failed[0]!.error).toMatch(/not listed: \["%2e%2e\/escape","%2E%2E\/%2e%2e\/escape".*written outside the store/);
    expect(failed[0]!.error).toMatch(/get\("hk\/%2e%2e\/victim"\) of a key never written returned "sentinel victim"/);
  });

  it('catches a backend that strips trailing dots and spaces from names (Windows, SMB)', async () => {
    const failed = await failuresOf(() => behindPathRewrite((key) => key.replace(/[. ]+(?=\/|$)/g, '')));
    expect(failed.map((f) => f.name)).toContain(HOSTILE_KEYS);
    expect(failed.find((f) => f.name === HOSTILE_KEYS)!.error).toMatch(/get\("hk\/victim\."\) of a key never written returned "sentinel hk\/victim"/);
  });

  it('catches a compare-and-swap that ignores the etag', async () => {
    const failed = await failuresOf(() => {
      const m = createMemoryStorage();
      return { ...m, putIfMatch: async (k, b) => (m.debug.overwrite(k, b), { etag: 'x' }) };
    });
    expect(failed.map((f) => f.name)).toContain('compare-and-swap replaces only on a matching etag (or is absent when not declared)');
  });

  it('passes a change feed that tells of writes, long poll or delta (the baseline for the two below)', async () => {
    expect(await failuresOf(() => withChangeFeed(createMemoryStorage(), 'wait'))).toEqual([]);
    expect(await failuresOf(() => withChangeFeed(createMemoryStorage(), 'poll'))).toEqual([]);
  });

  it('catches a change feed that misses writes', async () => {
    const blind = (): Storage => ({ ...createMemoryStorage(), changeFeed: { mode: 'poll', next: async () => ({ cursor: 'c', changed: false }) } });
    const failed = await failuresOf(blind);
    expect(failed.map((f) => f.error).join('\n')).toMatch(/the change feed missed a write/);
  });

  it('catches a long poll that ignores its signal', { timeout: 30_000 }, async () => {
    const deaf = (): Storage => {
      const fed = withChangeFeed(createMemoryStorage(), 'wait');
      return { ...fed, changeFeed: { mode: 'wait', next: (cursor) => fed.changeFeed.next(cursor) } };
    };
    const failed = await failuresOf(deaf);
    expect(failed.map((f) => f.error).join('\n')).toMatch(/did not end within 5 s of its signal/);
  });
});

const HOSTILE_KEYS = 'keeps keys that a backend could misread (encoded dots and slashes, stripped or reserved names) inside the store, each its own object';

/**
 * A store whose objects live under `root/` of a disk it shares with others, each at the path
 * `rewrite('root/' + key)`: how a backend that rewrites names before storing them behaves. The
 * adapter in front of it passes keys through unencoded, trusting that core validated them.
 */
function behindPathRewrite(rewrite: (key: string) => string): Storage {
  const disk = createMemoryStorage();
  const root = 'root/';
  const path = (key: string) => rewrite(root + key);
  return {
    ...disk,
    name: 'path-rewriting',
    putIfAbsent: (k, b) => disk.putIfAbsent(path(k), b),
    get: (k, o) => disk.get(path(k), o),
    async list(prefix, o) {
      const page = await disk.list(root + prefix, { ...o, ...(o?.startAfter === undefined ? {} : { startAfter: root + o.startAfter }) });
      return { ...page, objects: page.objects.map((x) => ({ ...x, key: x.key.slice(root.length) })) };
    },
    delete: (k) => disk.delete!(path(k)),
    putIfMatch: (k, b, e) => disk.putIfMatch!(path(k), b, e),
  };
}

/**
 * A memory store that writes large objects in place: `partial(bytes)` is visible while the write
 * is in flight (20 ms), then the whole object, before or after putIfAbsent answers.
 */
function writesInPlace(partial: (bytes: Uint8Array) => Uint8Array, when: 'whole-on-answer' | 'answers-early'): Storage {
  const m = createMemoryStorage();
  return {
    ...m,
    capabilities: { ...m.capabilities, inPlaceWrites: true },
    async putIfAbsent(key, bytes) {
      if (bytes.byteLength < 100_000) return m.putIfAbsent(key, bytes);
      m.debug.overwrite(key, partial(bytes));
      await new Promise((r) => setTimeout(r, 20));
      if (when === 'answers-early') {
        setTimeout(() => m.debug.overwrite(key, bytes), 2_000);
        return 'created';
      }
      m.debug.overwrite(key, bytes);
      return 'created';
    },
  };
}

/** A memory store reading ranges into the memory it is offered; `bug` may answer something else, or misuse that memory later. */
function readingInto(bug: (into: Uint8Array) => Uint8Array | void): Storage {
  const m = createMemoryStorage();
  return {
    ...m,
    async get(key, o) {
      const bytes = await m.get(key, o && { range: o.range });
      if (!o?.into) return bytes;
      o.into.set(bytes);
      return bug(o.into) ?? o.into.subarray(0, bytes.byteLength);
    },
  };
}
