/**
 * The storage conformance checks as plain async functions, so they can run under vitest
 * (`runStorageConformance`) or programmatically (`checkStorageConformance`, which is how we prove
 * the suite catches a broken adapter). Each check reads the declared capabilities to decide what
 * to assert; a capability that is not declared is checked to be absent, never silently skipped.
 */
import { randomBytes } from 'node:crypto';
import type { Storage } from '../storage/contract.js';
import { checkedStorage } from '../storage/checked.js';
import { isStorageError } from '../storage/errors.js';
import { compareKeys } from '../storage/keys.js';
import { listAll, listPages } from '../storage/listing.js';

export interface ConformanceFixture {
  /** A fresh, empty storage (or a fresh prefix of a shared one). */
  storage: Storage;
  /** The same adapter pointed at a backend that cannot be reached (wrong port, unmounted path). */
  unreachable: () => Storage | Promise<Storage>;
  /**
   * A second client of the same location, opened as another process would open it. Checks of
   * what *other* clients observe (an object while it is being written) read through it; without
   * it they read through `storage` itself, which cannot see what an in-process guard hides.
   */
  peer?: () => Storage | Promise<Storage>;
  teardown?: () => Promise<void>;
}

export interface ConformanceOptions {
  /** Size of the large round-trip and in-flight objects. Default 20 MiB. */
  largeObjectBytes?: number;
  /** Concurrent creates on one key. Default 16. */
  racers?: number;
  /** Per-check timeout for vitest, ms. Default 120 s. */
  timeoutMs?: number;
}

export interface ConformanceCheck {
  name: string;
  run(fixture: ConformanceFixture, options: Required<ConformanceOptions>): Promise<void>;
}

class ConformanceFailure extends Error {
  override name = 'ConformanceFailure';
}
function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new ConformanceFailure(message);
}
const same = (a: Uint8Array, b: Uint8Array) => a.byteLength === b.byteLength && Buffer.from(a).equals(Buffer.from(b));
const text = (s: string) => new TextEncoder().encode(s);

async function expectCode(promise: Promise<unknown>, codes: string[], what: string): Promise<void> {
  try {
    await promise;
  } catch (e) {
    assert(codes.some((c) => isStorageError(e, c as never)), `${what}: expected error code ${codes.join(' or ')}, got ${describe(e)}`);
    return;
  }
  throw new ConformanceFailure(`${what}: expected error code ${codes.join(' or ')}, but it succeeded`);
}
const describe = (e: unknown) => (e instanceof Error ? `${(e as { code?: string }).code ?? e.name}: ${e.message}` : String(e));

/**
 * Lists keys; on a backend that does not claim consistent listing, keeps listing (up to
 * LISTING_LAG_MS) until `settled` holds, since a lagging listing is allowed by the contract.
 */
const LISTING_LAG_MS = 30_000;
async function listInfos(s: Storage, prefix: string, settled: (keys: string[]) => boolean = () => true, startAfter?: string) {
  const deadline = Date.now() + LISTING_LAG_MS;
  for (;;) {
    const infos = await listAll(s, prefix, startAfter === undefined ? {} : { startAfter });
    if (s.capabilities.consistentListing || settled(infos.map((o) => o.key)) || Date.now() > deadline) return infos;
    await new Promise((r) => setTimeout(r, 25));
  }
}
async function listKeys(s: Storage, prefix: string, startAfter?: string, settled?: (keys: string[]) => boolean): Promise<string[]> {
  return (await listInfos(s, prefix, settled, startAfter)).map((o) => o.key);
}
const sameSet = (want: string[]) => (got: string[]) => JSON.stringify([...got].sort(compareKeys)) === JSON.stringify([...want].sort(compareKeys));

const use = (f: ConformanceFixture) => checkedStorage(f.storage);

export const conformanceChecks: ConformanceCheck[] = [
  {
    name: 'declares well-formed capabilities and only the optional operations it claims',
    async run(f) {
      const c = f.storage.capabilities;
      for (const k of ['atomicCreate', 'compareAndSwap', 'rangedGet', 'consistentListing', 'delete', 'caseInsensitiveNames', 'sortedListing'] as const) {
        assert(typeof c[k] === 'boolean', `capabilities.${k} must be a boolean`);
      }
      assert(Number.isSafeInteger(c.maxObjectSize) && c.maxObjectSize > 0, 'capabilities.maxObjectSize must be a positive integer');
      assert(c.inPlaceWrites === undefined || typeof c.inPlaceWrites === 'boolean', 'capabilities.inPlaceWrites must be a boolean when present');
      assert(c.delete === (typeof f.storage.delete === 'function'), 'capabilities.delete must match whether delete() exists');
      assert(c.compareAndSwap === (typeof f.storage.putIfMatch === 'function'), 'capabilities.compareAndSwap must match whether putIfMatch() exists');
    },
  },
  {
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
  },
  {
    name: 'stores unicode and punctuation in keys without mangling them',
    async run(f) {
      const s = use(f);
      const keys = ['uni/日本語/ファイル.txt', 'uni/émoji-😀.bin', 'uni/Ünïcödé', 'uni/sp ace+plus%25#hash?q:c*st<>|"', 'uni/trailing.', 'uni/CaseA', 'uni/casea'];
      for (const k of keys) assert((await s.putIfAbsent(k, text(k))) === 'created', `${k}: create must answer created`);
      for (const k of keys) assert(same(await s.get(k), text(k)), `${k}: content differs on read`);
      const listed = await listKeys(s, 'uni/', undefined, sameSet(keys));
      assert(JSON.stringify([...listed].sort(compareKeys)) === JSON.stringify([...keys].sort(compareKeys)), `listing ${JSON.stringify(listed)} differs from ${JSON.stringify(keys)}`);
    },
  },
  {
    name: 'lists prefixes that are prefixes of each other exactly',
    async run(f) {
      const s = use(f);
      const keys = ['p/a', 'p/ab', 'p/abc/d', 'p/b', 'p/abc-e', 'q/a'];
      for (const k of keys) await s.putIfAbsent(k, text(k));
      const expect = async (prefix: string, want: string[]) => {
        const got = (await listKeys(s, prefix, undefined, sameSet(want))).sort(compareKeys);
        assert(JSON.stringify(got) === JSON.stringify([...want].sort(compareKeys)), `list(${JSON.stringify(prefix)}) = ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
      };
      await expect('p/', ['p/a', 'p/ab', 'p/abc/d', 'p/b', 'p/abc-e']);
      await expect('p/a', ['p/a', 'p/ab', 'p/abc/d', 'p/abc-e']);
      await expect('p/ab', ['p/ab', 'p/abc/d', 'p/abc-e']);
      await expect('p/abc/', ['p/abc/d']);
      await expect('p/abc', ['p/abc/d', 'p/abc-e']);
      await expect('p/z', []);
      await expect('nothing-here/', []);
    },
  },
  {
    name: 'pages through a long listing, each key once, and honors startAfter',
    async run(f) {
      const s = use(f);
      const keys = Array.from({ length: 27 }, (_, i) => `pg/k${String(i).padStart(3, '0')}`);
      await Promise.all(keys.map((k) => s.putIfAbsent(k, text(k))));
      await listKeys(s, 'pg/', undefined, sameSet(keys)); // let a lagging listing settle first
      const seen: string[] = [];
      let pages = 0;
      for await (const page of listPages(s, 'pg/', { pageSize: 10 })) {
        pages++;
        seen.push(...page.map((o) => o.key));
      }
      assert(seen.length === keys.length && new Set(seen).size === keys.length, `paged listing returned ${seen.length} keys (${new Set(seen).size} distinct), want ${keys.length}`);
      if (s.capabilities.sortedListing) {
        assert(JSON.stringify(seen) === JSON.stringify(keys), 'sortedListing is claimed but the listing is not in ascending order');
      }
      assert(pages >= 1, 'no pages');
      const after = await listKeys(s, 'pg/', keys[12], sameSet(keys.slice(13)));
      assert(JSON.stringify(after.sort(compareKeys)) === JSON.stringify(keys.slice(13)), `startAfter ${keys[12]} returned ${JSON.stringify(after)}`);
      const afterAll = await listKeys(s, 'pg/', 'pg/zzz');
      assert(afterAll.length === 0, 'startAfter past the last key must list nothing');
    },
  },
  {
    name: 'answers NotFound for a missing key, and never "empty" or NotFound when unreachable',
    async run(f) {
      const s = use(f);
      await expectCode(s.get('missing/key'), ['NotFound'], 'get of a missing key');
      const down = checkedStorage(await f.unreachable());
      await expectCode(down.get('some/key'), ['Unavailable', 'AuthFailed'], 'get on an unreachable backend');
      await expectCode(down.list('some/'), ['Unavailable', 'AuthFailed'], 'list on an unreachable backend (an empty answer would read as "everything deleted")');
      await expectCode(down.putIfAbsent('some/key', text('x')), ['Unavailable', 'AuthFailed'], 'putIfAbsent on an unreachable backend');
      await down.close?.();
    },
  },
  {
    name: 'a second putIfAbsent answers exists and leaves the content unchanged',
    async run(f) {
      const s = use(f);
      assert((await s.putIfAbsent('once/key', text('first'))) === 'created', 'first create must answer created');
      assert((await s.putIfAbsent('once/key', text('second, longer'))) === 'exists', 'second create must answer exists');
      assert((await s.putIfAbsent('once/key', text('first'))) === 'exists', 'a create with identical bytes must also answer exists');
      assert(same(await s.get('once/key'), text('first')), 'content changed after a refused create');
    },
  },
  {
    name: 'concurrent putIfAbsent on one key: one winner when atomic create is claimed, never a torn object',
    async run(f, o) {
      const s = use(f);
      const candidates = Array.from({ length: o.racers }, (_, i) => text(`racer-${i}-`.repeat(100 + i)));
      const results = await Promise.all(candidates.map((b) => s.putIfAbsent('race/key', b)));
      const winners = results.filter((r) => r === 'created').length;
      const stored = await s.get('race/key');
      assert(candidates.some((c) => same(c, stored)), 'the stored object is none of the candidates (torn or mixed write)');
      assert(winners >= 1, 'no racer answered created, yet the key exists');
      if (s.capabilities.atomicCreate) {
        assert(winners === 1, `atomicCreate is claimed but ${winners} of ${o.racers} racing creates answered created`);
        assert(same(stored, candidates[results.indexOf('created')]!), 'atomicCreate is claimed but the stored bytes are not the winner\'s');
      }
    },
  },
  {
    name: 'never shows a partial object while a large write is in flight',
    async run(f, o) {
      const s = use(f);
      const peer = f.peer ? await f.peer() : undefined;
      const observer = peer ? checkedStorage(peer) : s;
      // A store that writes in place may show other clients a prefix, never anything else, and
      // must be whole for everyone once the write answers (the engine relies on exactly that).
      const inPlace = s.capabilities.inPlaceWrites === true;
      const size = Math.min(o.largeObjectBytes, s.capabilities.maxObjectSize);
      const bytes = randomBytes(size);
      let done = false;
      const writing = s.putIfAbsent('inflight/big', bytes).finally(() => {
        done = true;
      });
      let observations = 0;
      try {
        // Poll gently and a bounded number of times: a tight loop of reads can starve the very
        // write it watches when both run against an in-process emulator.
        while (!done && observations < 500) {
          const listed = (await observer.list('inflight/')).objects.find((x) => x.key === 'inflight/big');
          if (listed && inPlace) assert(listed.size <= size, `listed with ${listed.size} bytes while ${size} are being written`);
          else if (listed) assert(listed.size === size, `listed with ${listed.size} of ${size} bytes while being written (declare capabilities.inPlaceWrites if the store writes in place)`);
          try {
            const got = await observer.get('inflight/big');
            // Seen whole: nothing more to learn, and reading 20 MiB every few ms until the write
            // answers is what drove an emulator's worker to gigabytes under load.
            if (got.byteLength === size && same(got, bytes)) {
              observations++;
              break;
            }
            if (inPlace) assert(got.byteLength <= size && same(got, bytes.subarray(0, got.byteLength)), `read ${got.byteLength} bytes that are not a prefix of the object being written`);
            else assert(same(got, bytes), `read ${got.byteLength} bytes of ${size} while being written (declare capabilities.inPlaceWrites if the store writes in place)`);
          } catch (e) {
            if (e instanceof ConformanceFailure) throw e;
            assert(isStorageError(e, 'NotFound'), `get during a write failed with ${describe(e)}, expected NotFound or the whole object`);
          }
          observations++;
          await new Promise((r) => setTimeout(r, 5));
        }
        assert((await writing) === 'created', 'large create must answer created');
        for (const reader of peer ? [s, observer] : [s]) {
          assert(same(await reader.get('inflight/big'), bytes), `the object differs once the write answered${reader === observer ? ' (read by another client)' : ''}`);
          const listed = (await listInfos(reader, 'inflight/', (keys) => keys.includes('inflight/big'))).find((x) => x.key === 'inflight/big');
          assert(listed?.size === size, `listed with ${listed?.size} of ${size} bytes once the write answered`);
        }
        assert(observations >= 1, 'made no observation during the write');
      } finally {
        await writing.catch(() => undefined);
        await peer?.close?.();
      }
    },
  },
  {
    name: 'reads byte ranges',
    async run(f) {
      const s = use(f);
      const bytes = Uint8Array.from({ length: 1000 }, (_, i) => i % 251);
      await s.putIfAbsent('range/obj', bytes);
      assert(same(await s.get('range/obj', { range: { offset: 100, length: 50 } }), bytes.subarray(100, 150)), 'middle range differs');
      assert(same(await s.get('range/obj', { range: { offset: 0, length: 1 } }), bytes.subarray(0, 1)), 'first byte differs');
      assert(same(await s.get('range/obj', { range: { offset: 990, length: 100 } }), bytes.subarray(990)), 'a range past the end must return the bytes up to the end');
    },
  },
  {
    name: 'delete is idempotent (or absent when not declared)',
    async run(f) {
      const s = use(f);
      if (!s.capabilities.delete) {
        assert(s.delete === undefined, 'delete exists but capabilities.delete is false');
        return;
      }
      await s.putIfAbsent('del/a', text('a'));
      await s.putIfAbsent('del/b', text('b'));
      await s.delete!('del/a');
      await expectCode(s.get('del/a'), ['NotFound'], 'get after delete');
      const keys = await listKeys(s, 'del/', undefined, sameSet(['del/b']));
      assert(JSON.stringify(keys) === '["del/b"]', `after delete the listing is ${JSON.stringify(keys)}`);
      await s.delete!('del/a');
      await s.delete!('del/never-existed');
      assert((await s.putIfAbsent('del/a', text('again'))) === 'created', 'a deleted key can be created again');
      assert(same(await s.get('del/a'), text('again')), 'recreated content differs');
    },
  },
  {
    name: 'compare-and-swap replaces only on a matching etag (or is absent when not declared)',
    async run(f) {
      const s = use(f);
      if (!s.capabilities.compareAndSwap) {
        assert(s.putIfMatch === undefined, 'putIfMatch exists but capabilities.compareAndSwap is false');
        return;
      }
      await s.putIfAbsent('cas/head', text('v1'));
      const etag1 = (await listInfos(s, 'cas/', sameSet(['cas/head']))).find((x) => x.key === 'cas/head')?.etag;
      assert(etag1, 'compareAndSwap is claimed but the listing gives no etag');
      const r = await s.putIfMatch!('cas/head', text('v2'), etag1);
      assert(same(await s.get('cas/head'), text('v2')), 'putIfMatch with the current etag did not replace the content');
      await expectCode(s.putIfMatch!('cas/head', text('v3'), etag1), ['PreconditionFailed'], 'putIfMatch with a stale etag');
      assert(same(await s.get('cas/head'), text('v2')), 'a refused putIfMatch changed the content');
      const etag2 = r.etag ?? (await listAll(s, 'cas/')).find((x) => x.key === 'cas/head')?.etag;
      assert(etag2 && etag2 !== etag1, 'the etag did not change after a replace');
      await expectCode(s.putIfMatch!('cas/missing', text('x'), etag1), ['PreconditionFailed', 'NotFound'], 'putIfMatch on a missing key');
    },
  },
  {
    name: 'a created key is listed at once when consistent listing is claimed',
    async run(f) {
      const s = use(f);
      for (let i = 0; i < 5; i++) {
        await s.putIfAbsent(`fresh/k${i}`, text('x'));
        const keys = await listKeys(s, 'fresh/');
        if (s.capabilities.consistentListing) assert(keys.includes(`fresh/k${i}`), `consistentListing is claimed but fresh/k${i} is not listed right after its create`);
      }
    },
  },
  {
    name: 'rejects hostile keys before they reach the backend',
    async run(f) {
      const s = use(f);
      for (const bad of ['../escape', '/abs', 'a//b', 'a/./b', 'nul\u0000byte', 'C:/win', 'back\\slash', 'trailing/', 'e\u0301-nfd']) {
        await expectCode(s.putIfAbsent(bad, text('x')), ['InvalidKey'], `putIfAbsent(${JSON.stringify(bad)})`);
        await expectCode(s.get(bad), ['InvalidKey'], `get(${JSON.stringify(bad)})`);
      }
    },
  },
];

export const defaultConformanceOptions = (o: ConformanceOptions = {}): Required<ConformanceOptions> => ({
  largeObjectBytes: o.largeObjectBytes ?? 20 * 1024 * 1024,
  racers: o.racers ?? 16,
  timeoutMs: o.timeoutMs ?? 120_000,
});

export interface ConformanceResult {
  name: string;
  ok: boolean;
  error?: string;
}

/** Runs every check outside any test framework; returns one result per check. */
export async function checkStorageConformance(setup: () => Promise<ConformanceFixture>, options?: ConformanceOptions): Promise<ConformanceResult[]> {
  const o = defaultConformanceOptions(options);
  const results: ConformanceResult[] = [];
  for (const check of conformanceChecks) {
    const fixture = await setup();
    try {
      await check.run(fixture, o);
      results.push({ name: check.name, ok: true });
    } catch (e) {
      results.push({ name: check.name, ok: false, error: describe(e) });
    } finally {
      await fixture.teardown?.();
    }
  }
  return results;
}
