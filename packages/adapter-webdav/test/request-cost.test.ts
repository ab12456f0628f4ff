/**
 * What listing and uploading cost in requests, on a real server (nephele), counted with msw in
 * pass-through mode. The engine lists `log/` on every sync: with few writers that must stay a
 * handful of requests, and a big upload must not send one MKCOL per object.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createWebDavStorage, type WebDavStorage } from '@syncacross/adapter-webdav';
import { freshRoot } from './support/fixture.js';
import { startNephele, type RunningDav } from './support/npm-servers.js';
import { requestLog } from './support/request-log.js';

let server: RunningDav;
const log = requestLog();
const { counting } = log;

beforeAll(async () => {
  server = await startNephele();
  log.listen();
});
afterAll(async () => {
  log.close();
  await server?.stop();
});
let storage: WebDavStorage | undefined;
afterEach(async () => storage?.close!());

const bytes = new Uint8Array([1]);

describe('request cost', () => {
  it("listing log/ with 3 writers costs 4 PROPFINDs; one writer's log costs 1; a sync with nothing new costs the same", async () => {
    storage = await createWebDavStorage({ url: server.url, root: freshRoot() });
    for (const w of ['w1', 'w2', 'w3']) for (let i = 0; i < 4; i++) await storage.putIfAbsent(`log/${w}/${i}-h`, bytes);
    await storage.putIfAbsent('packs/w1/1-abc', bytes);
    const all = await counting(() => storage!.list('log/'));
    expect(all.result.objects).toHaveLength(12);
    expect(all.requests.filter((r) => r.startsWith('PROPFIND'))).toHaveLength(4);
    expect(all.requests).toHaveLength(4);
    const one = await counting(() => storage!.list('log/w2/'));
    expect(one.requests).toHaveLength(1);
    const after = await counting(() => storage!.list('log/', { startAfter: 'log/w3/1-h' }));
    expect(after.result.objects.map((o) => o.key)).toEqual(['log/w3/2-h', 'log/w3/3-h']);
    expect(after.requests).toHaveLength(2); // log/ and log/w3/: w1 and w2 sort before startAfter
  });

  it('a listing asked for no etags asks the server for names, sizes and times only', async () => {
    // Asked for every property, Apache with `FileETag Digest` reads each file whole for its etag.
    storage = await createWebDavStorage({ url: server.url, root: freshRoot() });
    for (const k of ['packs/a', 'packs/b']) await storage.putIfAbsent(k, bytes);
    const full = await storage.list('packs/');
    const lean = await counting(() => storage!.list('packs/', { etags: false }));
    expect(full.objects.map((o) => o.etag)).toEqual([expect.any(String), expect.any(String)]);
    expect(lean.result.objects.map(({ key, size, etag }) => ({ key, size, etag }))).toEqual(full.objects.map(({ key, size }) => ({ key, size, etag: undefined })));
    expect(lean.result.objects.map((o) => o.modified)).toEqual(full.objects.map((o) => o.modified));
    expect(lean.requests).toHaveLength(1);
  });

  it('a prefix ending mid-segment lists the parent collection once and filters', async () => {
    storage = await createWebDavStorage({ url: server.url, root: freshRoot() });
    for (const k of ['p/a', 'p/ab', 'p/abc/d', 'p/b']) await storage.putIfAbsent(k, bytes);
    const listed = await counting(() => storage!.list('p/ab'));
    expect(listed.result.objects.map((o) => o.key)).toEqual(['p/ab', 'p/abc/d']);
    expect(listed.requests.map((r) => r.replace(/^PROPFIND \/t-[0-9a-f]+/, 'PROPFIND '))).toEqual(['PROPFIND /p~/', 'PROPFIND /p~/abc~/']);
  });

  it('uploading 50 objects into a new packs/w9/ creates the collections once, then PUT + MOVE per object', async () => {
    storage = await createWebDavStorage({ url: server.url, root: freshRoot(), concurrency: 8 });
    const upload = await counting(() => Promise.all(Array.from({ length: 50 }, (_, i) => storage!.putIfAbsent(`packs/w9/${i}`, bytes))));
    expect(upload.result.every((r) => r === 'created')).toBe(true);
    const methods = upload.requests.map((r) => r.split(' ')[0]);
    // packs~/w9~/ answers 409 (no packs~/ yet), packs~/ is created, then packs~/w9~/: once for all 50.
    expect(upload.requests.filter((r) => r.startsWith('MKCOL')).map((r) => r.replace(/\/t-[0-9a-f]+/, ''))).toEqual(['MKCOL /packs~/w9~/', 'MKCOL /packs~/', 'MKCOL /packs~/w9~/']);
    expect(methods.filter((m) => m === 'PUT')).toHaveLength(50);
    expect(methods.filter((m) => m === 'MOVE')).toHaveLength(50);
    expect(methods).toHaveLength(103);
  });

  it('hides uploads in flight and files that are not ours from listings', async () => {
    const root = freshRoot();
    storage = await createWebDavStorage({ url: server.url, root });
    await storage.putIfAbsent('x/real', bytes);
    for (const name of ['~tmp-deadbeef', 'Thumbs.db']) {
      const put = await fetch(`${server.url}/${root}/x~/${name}`, { method: 'PUT', body: 'junk' });
      expect(put.ok).toBe(true);
    }
    expect((await storage.list('x/')).objects.map((o) => o.key)).toEqual(['x/real']);
  });
});
