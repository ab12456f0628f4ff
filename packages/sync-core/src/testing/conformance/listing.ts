/** Checks of `list`: exact prefixes, paging with startAfter, consistency when it is claimed, the etag hint. */
import type { ObjectInfo } from '../../storage/contract.js';
import { compareKeys } from '../../storage/keys.js';
import { listPages } from '../../storage/listing.js';
import { assert, listInfos, listKeys, sameSet, sorted, text, use } from './assertions.js';
import type { ConformanceCheck } from './fixture.js';

export const exactPrefixes: ConformanceCheck = {
  name: 'lists prefixes that are prefixes of each other exactly',
  async run(f) {
    const s = use(f);
    const keys = ['p/a', 'p/ab', 'p/abc/d', 'p/b', 'p/abc-e', 'q/a'];
    for (const k of keys) await s.putIfAbsent(k, text(k));
    const expect = async (prefix: string, want: string[]) => {
      const got = (await listKeys(s, prefix, undefined, sameSet(want))).sort(compareKeys);
      assert(JSON.stringify(got) === JSON.stringify(sorted(want)), `list(${JSON.stringify(prefix)}) = ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
    };
    await expect('p/', ['p/a', 'p/ab', 'p/abc/d', 'p/b', 'p/abc-e']);
    await expect('p/a', ['p/a', 'p/ab', 'p/abc/d', 'p/abc-e']);
    await expect('p/ab', ['p/ab', 'p/abc/d', 'p/abc-e']);
    await expect('p/abc/', ['p/abc/d']);
    await expect('p/abc', ['p/abc/d', 'p/abc-e']);
    await expect('p/z', []);
    await expect('nothing-here/', []);
  },
};

export const pagesAndStartAfter: ConformanceCheck = {
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
};

export const consistentListing: ConformanceCheck = {
  name: 'a created key is listed at once when consistent listing is claimed',
  async run(f) {
    const s = use(f);
    for (let i = 0; i < 5; i++) {
      await s.putIfAbsent(`fresh/k${i}`, text('x'));
      const keys = await listKeys(s, 'fresh/');
      if (s.capabilities.consistentListing) assert(keys.includes(`fresh/k${i}`), `consistentListing is claimed but fresh/k${i} is not listed right after its create`);
    }
  },
};

export const listsWithoutEtags: ConformanceCheck = {
  name: 'a listing asked for no etags lists the same keys, sizes and times',
  async run(f) {
    const s = use(f);
    const objects: [string, Uint8Array][] = [
      ['lean/a', text('a')],
      ['lean/sub/b', text('b'.repeat(1000))],
      ['lean/empty', new Uint8Array(0)],
    ];
    for (const [key, bytes] of objects) await s.putIfAbsent(key, bytes);
    const want = sameSet(objects.map(([key]) => key));
    const shape = (infos: ObjectInfo[]) => JSON.stringify(infos.map((o) => [o.key, o.size, o.modified?.getTime()]));
    const full = shape(await listInfos(s, 'lean/', want));
    const lean = shape(await listInfos(s, 'lean/', want, undefined, { etags: false }));
    assert(lean === full, `listed with { etags: false }: ${lean}; without: ${full}`);
  },
};
