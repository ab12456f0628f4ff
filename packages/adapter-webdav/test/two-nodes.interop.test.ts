/**
 * Two "nodes" (two storage instances, each with its own connections and collection cache) racing
 * through one Apache server on the same keys. The engine-level version (two engines syncing a
 * library) comes with sync-core's engine; this is the storage half of it: nothing lost, nothing torn.
 */
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkedStorage, listAll, type Storage } from '@syncacross/sync-core';
import { createWebDavStorage } from '@syncacross/adapter-webdav';
import { freshRoot } from './support/fixture.js';
import { haveApache, PASS, startApache, USER, type RunningDebianDav } from './support/debian-servers.js';

const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

describe.skipIf(!haveApache)('two nodes racing through Apache (apt-get install apache2 apache2-utils to run)', () => {
  let server: RunningDebianDav;
  let a: Storage;
  let b: Storage;
  beforeAll(async () => {
    server = await startApache();
    const root = freshRoot();
    const open = async (name: string) => checkedStorage(await createWebDavStorage({ url: server.url, root, username: USER, password: PASS, name, concurrency: 4 }));
    [a, b] = await Promise.all([open('node-a'), open('node-b')]);
  });
  afterAll(async () => {
    await Promise.all([a?.close?.(), b?.close?.()]);
    await server?.stop();
  });

  it("racing creates of the same keys: every key ends up whole, as one node's bytes, read alike by both", async () => {
    const keys = Array.from({ length: 40 }, (_, i) => `race/${i % 4}/k${i}`);
    const bodies = keys.map(() => [randomBytes(2000 + Math.floor(Math.random() * 50_000)), randomBytes(3000)] as const);
    const answers = await Promise.all(keys.flatMap((k, i) => [a.putIfAbsent(k, bodies[i]![0]), b.putIfAbsent(k, bodies[i]![1])]));
    for (let i = 0; i < keys.length; i++) {
      const [fromA, fromB] = [answers[2 * i], answers[2 * i + 1]];
      expect([fromA, fromB]).toContain('created'); // somebody won; WebDAV may let both think so
      const [readA, readB] = await Promise.all([a.get(keys[i]!), b.get(keys[i]!)]);
      expect(same(readA, readB)).toBe(true);
      expect(same(readA, bodies[i]![0]) || same(readA, bodies[i]![1])).toBe(true);
      if (fromA === 'exists') expect(same(readA, bodies[i]![1])).toBe(true);
      if (fromB === 'exists') expect(same(readA, bodies[i]![0])).toBe(true);
    }
    const listedA = (await listAll(a, 'race/')).map((o) => o.key);
    expect(listedA.sort()).toEqual([...keys].sort());
    expect((await listAll(b, 'race/')).map((o) => o.key)).toEqual(listedA);
  });

  it('each node writing its own log while both list: nothing lost, no partial object ever listed', async () => {
    const entry = (node: string, n: number) => {
      const body = randomBytes(1000 + n * 997);
      return { key: `log/${node}/${String(n).padStart(4, '0')}-${createHash('sha256').update(body).digest('hex').slice(0, 16)}`, body };
    };
    const written = new Map<string, Uint8Array>();
    const writer = async (s: Storage, node: string) => {
      for (let n = 0; n < 40; n++) {
        const { key, body } = entry(node, n);
        written.set(key, body);
        expect(await s.putIfAbsent(key, body)).toBe('created');
      }
    };
    let writing = true;
    const listings: number[] = [];
    const watcher = async (s: Storage) => {
      while (writing) {
        const listed = await listAll(s, 'log/');
        for (const o of listed) {
          const body = written.get(o.key);
          expect(body, `${o.key} listed but never written`).toBeDefined();
          expect(o.size).toBe(body!.byteLength);
        }
        listings.push(listed.length);
      }
    };
    const watchers = [watcher(a), watcher(b)];
    await Promise.all([writer(a, 'node-a'), writer(b, 'node-b')]);
    writing = false;
    await Promise.all(watchers);
    expect(listings.length).toBeGreaterThan(2);
    for (const s of [a, b]) {
      const listed = await listAll(s, 'log/');
      expect(listed.map((o) => o.key).sort()).toEqual([...written.keys()].sort());
      const reads = await Promise.all(listed.map((o) => s.get(o.key)));
      listed.forEach((o, i) => expect(same(reads[i]!, written.get(o.key)!)).toBe(true));
    }
  });

  it('compare-and-swap races on one head: the head stays whole and a stale etag is refused afterwards', async () => {
    expect(a.capabilities.compareAndSwap).toBe(true);
    await a.putIfAbsent('heads/shared', Buffer.from('v0'));
    const etag = (await listAll(a, 'heads/')).find((o) => o.key === 'heads/shared')!.etag!;
    const candidates = [Buffer.from('from-a'), Buffer.from('from-b')];
    const results = await Promise.allSettled([a.putIfMatch!('heads/shared', candidates[0]!, etag), b.putIfMatch!('heads/shared', candidates[1]!, etag)]);
    expect(results.some((r) => r.status === 'fulfilled')).toBe(true);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'PreconditionFailed' });
    const head = await b.get('heads/shared');
    expect(candidates.some((c) => same(c, head))).toBe(true);
    await expect(a.putIfMatch!('heads/shared', Buffer.from('late'), etag)).rejects.toMatchObject({ code: 'PreconditionFailed' });
  });
});
