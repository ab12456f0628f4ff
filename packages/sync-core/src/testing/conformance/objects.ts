/** Checks of single objects: declared capabilities, byte-exact round trips, create-once, ranges, buffers the caller keeps. */
import { randomBytes } from 'node:crypto';
import { listInfos, listKeys, same, sameSet, sorted, text, use, assert } from './assertions.js';
import type { ConformanceCheck } from './fixture.js';

export const declaresCapabilities: ConformanceCheck = {
  name: 'declares well-formed capabilities and only the optional operations it claims',
  async run(f) {
    const c = f.storage.capabilities;
    for (const k of ['atomicCreate', 'compareAndSwap', 'rangedGet', 'consistentListing', 'delete', 'caseInsensitiveNames', 'sortedListing'] as const) {
      assert(typeof c[k] === 'boolean', `capabilities.${k} must be a boolean`);
    }
    assert(Number.isSafeInteger(c.maxObjectSize) && c.maxObjectSize > 0, 'capabilities.maxObjectSize must be a positive integer');
    assert(c.inPlaceWrites === undefined || typeof c.inPlaceWrites === 'boolean', 'capabilities.inPlaceWrites must be a boolean when present');
    assert(c.cheapRequests === undefined || typeof c.cheapRequests === 'boolean', 'capabilities.cheapRequests must be a boolean when present');
    assert(c.delete === (typeof f.storage.delete === 'function'), 'capabilities.delete must match whether delete() exists');
    assert(c.compareAndSwap === (typeof f.storage.putIfMatch === 'function'), 'capabilities.compareAndSwap must match whether putIfMatch() exists');
  },
};

export const roundTrips: ConformanceCheck = {
  name: 'round-trips binary objects of 0 B, 1 B and a large size byte for byte',
  async run(f, o) {
    const s = use(f);
    const large = Math.min(o.largeObjectBytes, s.capabilities.maxObjectSize);
    const cases: [string, Uint8Array][] = [
      ['rt/empty', new Uint8Array(0)],
      ['rt/one', Uint8Array.of(0)],
      ['rt/all-bytes', Uint8Array.from({ length: 256 }, (_, i) => i)],
      ['rt/large', randomBytes(large)],
    ];
    for (const [key, bytes] of cases) assert((await s.putIfAbsent(key, bytes)) === 'created', `${key}: first putIfAbsent must answer created`);
    for (const [key, bytes] of cases) {
      const got = await s.get(key);
      assert(same(got, bytes), `${key}: read back ${got.byteLength} bytes that differ from the ${bytes.byteLength} written`);
    }
    const listed = await listInfos(s, 'rt/', sameSet(cases.map((c) => c[0])));
    for (const [key, bytes] of cases) {
      const info = listed.find((x) => x.key === key);
      assert(info, `${key} missing from listing`);
      assert(info.size === bytes.byteLength, `${key}: listed size ${info.size}, wrote ${bytes.byteLength}`);
    }
  },
};

export const unicodeKeys: ConformanceCheck = {
  name: 'stores unicode and punctuation in keys without mangling them',
  async run(f) {
    const s = use(f);
    const keys = ['uni/日本語/ファイル.txt', 'uni/émoji-😀.bin', 'uni/Ünïcödé', 'uni/sp ace+plus%25#hash?q:c*st<>|"', 'uni/trailing.', 'uni/CaseA', 'uni/casea'];
    for (const k of keys) assert((await s.putIfAbsent(k, text(k))) === 'created', `${k}: create must answer created`);
    for (const k of keys) assert(same(await s.get(k), text(k)), `${k}: content differs on read`);
    const listed = await listKeys(s, 'uni/', undefined, sameSet(keys));
    assert(JSON.stringify(sorted(listed)) === JSON.stringify(sorted(keys)), `listing ${JSON.stringify(listed)} differs from ${JSON.stringify(keys)}`);
  },
};

export const createsOnce: ConformanceCheck = {
  name: 'a second putIfAbsent answers exists and leaves the content unchanged',
  async run(f) {
    const s = use(f);
    assert((await s.putIfAbsent('once/key', text('first'))) === 'created', 'first create must answer created');
    assert((await s.putIfAbsent('once/key', text('second, longer'))) === 'exists', 'second create must answer exists');
    assert((await s.putIfAbsent('once/key', text('first'))) === 'exists', 'a create with identical bytes must also answer exists');
    assert(same(await s.get('once/key'), text('first')), 'content changed after a refused create');
  },
};

export const racingCreates: ConformanceCheck = {
  name: 'concurrent putIfAbsent on one key: one winner when atomic create is claimed, never a torn object',
  async run(f, o) {
    const s = use(f);
    const candidates = Array.from({ length: o.racers }, (_, i) => text(`racer-${i}-`.repeat(100 + i)));
    const results = await Promise.all(candidates.map((b) => s.putIfAbsent('race/key', b)));
    const winners = results.filter((r) => r === 'created').length;
    const stored = await s.get('race/key');
    assert(
      candidates.some((c) => same(c, stored)),
      'the stored object is none of the candidates (torn or mixed write)',
    );
    assert(winners >= 1, 'no racer answered created, yet the key exists');
    if (s.capabilities.atomicCreate) {
      assert(winners === 1, `atomicCreate is claimed but ${winners} of ${o.racers} racing creates answered created`);
      assert(same(stored, candidates[results.indexOf('created')]!), "atomicCreate is claimed but the stored bytes are not the winner's");
    }
  },
};

export const byteRanges: ConformanceCheck = {
  name: 'reads byte ranges',
  async run(f) {
    const s = use(f);
    const bytes = Uint8Array.from({ length: 1000 }, (_, i) => i % 251);
    await s.putIfAbsent('range/obj', bytes);
    assert(same(await s.get('range/obj', { range: { offset: 100, length: 50 } }), bytes.subarray(100, 150)), 'middle range differs');
    assert(same(await s.get('range/obj', { range: { offset: 0, length: 1 } }), bytes.subarray(0, 1)), 'first byte differs');
    assert(same(await s.get('range/obj', { range: { offset: 990, length: 100 } }), bytes.subarray(990)), 'a range past the end must return the bytes up to the end');
  },
};

export const readsInto: ConformanceCheck = {
  name: 'reads a byte range offered memory to read into as it reads one without, and leaves that memory once it answers',
  async run(f) {
    const s = use(f);
    const bytes = Uint8Array.from({ length: 1000 }, (_, i) => (i * 7) % 253);
    await s.putIfAbsent('into/obj', bytes);
    for (const [offset, length, what] of [
      [100, 50, 'a middle range'],
      [990, 100, 'a range past the end'],
    ] as const) {
      const into = new Uint8Array(length + 64).fill(0xee); // longer than the range: only its start may be used
      const got = await s.get('into/obj', { range: { offset, length }, into });
      assert(same(got, bytes.subarray(offset, offset + length)), `${what} read into offered memory differs from the stored bytes`);
      const after = Uint8Array.from(into);
      await new Promise((r) => setTimeout(r, 20));
      assert(same(into, after), `the offered memory changed after get answered (${what})`);
    }
  },
};

export const callerMayReuseBytes: ConformanceCheck = {
  name: 'keeps nothing of the bytes it was given once a put answers',
  async run(f) {
    const s = use(f);
    const original = randomBytes(64 * 1024);
    const buffer = Buffer.from(original);
    await s.putIfAbsent('reuse/created', buffer);
    buffer.fill(0x5a); // as the engine does when it fills its next pack in the last one's buffer
    assert(same(await s.get('reuse/created'), original), 'the object changed when the caller wrote over the buffer it had put');
    if (!s.putIfMatch) return;
    const etag = (await listInfos(s, 'reuse/', (keys) => keys.includes('reuse/created'))).find((o) => o.key === 'reuse/created')?.etag;
    assert(etag !== undefined, 'compareAndSwap is claimed but the listing gives no etag');
    buffer.set(original);
    await s.putIfMatch('reuse/created', buffer, etag);
    buffer.fill(0xa5);
    assert(same(await s.get('reuse/created'), original), 'the object changed when the caller wrote over the buffer it had swapped in');
  },
};
