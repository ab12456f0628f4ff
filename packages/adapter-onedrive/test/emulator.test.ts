/**
 * The emulator's own behaviour, over real HTTP (serveFetchHandler), checked against what the
 * Graph docs say: conflictBehavior, If-Match, error bodies, forbidden names, case-insensitive
 * names, upload-session range rules and the unauthenticated upload URL, paging, delta, Range.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '@syncacross/sync-core/testing';
import type { OneDriveEmulator } from '../src/emulator/index.js';
import { FRAGMENT_UNIT, Throttler } from '../src/emulator/index.js';
import { localEmulator, TOKEN } from './support/emulator.js';

let emu: OneDriveEmulator;
let server: RunningServer;
let g: string;
beforeAll(async () => {
  ({ emulator: emu, server, graphBase: g } = await localEmulator({ maxPageSize: 3 }));
});
afterAll(() => server.close());

const auth = { authorization: `Bearer ${TOKEN}` };
const put = (path: string, body: string, headers: Record<string, string> = {}) => fetch(`${g}${path}`, { method: 'PUT', headers: { ...auth, ...headers }, body });
const get = (path: string) => fetch(`${g}${path}`, { headers: auth });

describe('the Graph drive emulator', () => {
  it('answers Graph error bodies, and 401 without a valid token', async () => {
    const r = await fetch(`${g}/me/drive/root`);
    expect(r.status).toBe(401);
    expect(((await r.json()) as { error: { code: string } }).error.code).toBe('InvalidAuthenticationToken');
    const missing = await get('/me/drive/root:/nope');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: 'itemNotFound' } });
  });

  it('honors conflictBehavior fail / replace / rename with case-insensitive names', async () => {
    expect((await put('/me/drive/root:/dir/File.txt:/content', 'one')).status).toBe(201);
    const fail = await put('/me/drive/root:/dir/file.TXT:/content?@microsoft.graph.conflictBehavior=fail', 'two');
    expect(fail.status).toBe(409);
    expect(await fail.json()).toMatchObject({ error: { code: 'nameAlreadyExists' } });
    expect((await put('/me/drive/root:/dir/file.txt:/content?@microsoft.graph.conflictBehavior=replace', 'three')).status).toBe(200);
    const renamed = (await (await put('/me/drive/root:/dir/file.txt:/content?@microsoft.graph.conflictBehavior=rename', 'four')).json()) as { name: string };
    expect(renamed.name).toBe('file 1.txt');
    const content = await get('/me/drive/root:/dir/File.txt:/content');
    expect(await content.text()).toBe('three');
  });

  it('refuses forbidden names and trailing dots', async () => {
    for (const bad of ['a%3Ab', 'a%3Fb', 'trailing.', 'CON', 'x_vti_y']) {
      const r = await put(`/me/drive/root:/names/${bad}:/content`, 'x');
      expect(r.status, bad).toBe(400);
    }
  });

  it('If-Match: 412 on a stale eTag, and cTag works too', async () => {
    const item = (await (await put('/me/drive/root:/cas/x:/content', 'v1')).json()) as { eTag: string; cTag: string };
    expect((await put('/me/drive/root:/cas/x:/content', 'v2', { 'if-match': item.cTag })).status).toBe(200);
    const stale = await put('/me/drive/root:/cas/x:/content', 'v3', { 'if-match': item.eTag });
    expect(stale.status).toBe(412);
  });

  it('pages /children with @odata.nextLink and $top', async () => {
    for (const n of ['a', 'b', 'c', 'd', 'e']) await put(`/me/drive/root:/paged/${n}:/content`, n);
    let next: string | undefined = `${g}/me/drive/root:/paged:/children?$top=2`;
    const names: string[] = [];
    let pages = 0;
    while (next) {
      const page = (await (await fetch(next, { headers: auth })).json()) as { value: { name: string }[]; '@odata.nextLink'?: string };
      names.push(...page.value.map((v) => v.name));
      next = page['@odata.nextLink'];
      pages++;
    }
    expect(names).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(pages).toBe(3);
  });

  it('redirects /content to a download URL that honors Range', async () => {
    await put('/me/drive/root:/range/x:/content', '0123456789');
    const r = await fetch(`${g}/me/drive/root:/range/x:/content`, { headers: auth, redirect: 'manual' });
    expect(r.status).toBe(302);
    const part = await fetch(r.headers.get('location')!, { headers: { range: 'bytes=2-4' } });
    expect(part.status).toBe(206);
    expect(await part.text()).toBe('234');
    expect((await fetch(r.headers.get('location')!, { headers: { range: 'bytes=20-30' } })).status).toBe(416);
  });

  it('upload sessions: 320 KiB multiples in order, no Authorization on the upload URL', async () => {
    const session = (await (
      await fetch(`${g}/me/drive/root:/up/big.bin:/createUploadSession`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ item: { '@microsoft.graph.conflictBehavior': 'fail' } }),
      })
    ).json()) as { uploadUrl: string };
    const chunk = (n: number) => new Uint8Array(n).fill(1);
    const send = (start: number, bytes: Uint8Array, total: number, headers: Record<string, string> = {}) =>
      fetch(session.uploadUrl, { method: 'PUT', headers: { 'content-range': `bytes ${start}-${start + bytes.byteLength - 1}/${total}`, ...headers }, body: bytes });
    const total = FRAGMENT_UNIT * 2 + 10;
    expect((await send(0, chunk(FRAGMENT_UNIT), total, auth)).status).toBe(401);
    expect((await send(0, chunk(1000), total)).status).toBe(416); // not a multiple of 320 KiB
    expect((await send(FRAGMENT_UNIT, chunk(FRAGMENT_UNIT), total)).status).toBe(416); // out of order
    const first = await send(0, chunk(FRAGMENT_UNIT), total);
    expect(first.status).toBe(202);
    expect(await first.json()).toMatchObject({ nextExpectedRanges: [`${FRAGMENT_UNIT}-`] });
    expect((await get('/me/drive/root:/up/big.bin')).status).toBe(404); // invisible until complete
    expect((await send(FRAGMENT_UNIT, chunk(FRAGMENT_UNIT + 10), total)).status).toBe(201);
    expect(((await (await get('/me/drive/root:/up/big.bin')).json()) as { size: number }).size).toBe(total);
  });

  it("delta: tokens, deleted facets with the changed items' parents, and 410 resyncRequired for expired tokens", async () => {
    await put('/me/drive/root:/d/one:/content', '1');
    const first = (await (await get('/me/drive/root:/d:/delta')).json()) as { value: { name: string }[]; '@odata.deltaLink': string };
    expect(first.value.map((v) => v.name)).toEqual(['d', 'one']);
    await put('/me/drive/root:/d/two:/content', '2');
    await fetch(`${g}/me/drive/root:/d/one`, { method: 'DELETE', headers: auth });
    type Changes = { value: { name: string; deleted?: unknown }[] };
    const changes = (await (await fetch(first['@odata.deltaLink'], { headers: auth })).json()) as Changes;
    // Graph returns the parents of changed items (up to the folder asked) unless deltaExcludeParent is sent.
    expect(changes.value.map((v) => [v.name, v.deleted !== undefined])).toEqual([
      ['d', false],
      ['two', false],
      ['one', true],
    ]);
    const bare = (await (await fetch(first['@odata.deltaLink'], { headers: { ...auth, deltaExcludeParent: 'true' } })).json()) as Changes;
    expect(bare.value.map((v) => v.name)).toEqual(['two', 'one']);
    emu.graph.me.expireDeltaTokens();
    const gone = await fetch(first['@odata.deltaLink'], { headers: auth });
    expect(gone.status).toBe(410);
    expect(await gone.json()).toMatchObject({ error: { code: 'resyncRequired' } });
    expect(new URL(gone.headers.get('location')!).searchParams.has('token')).toBe(false); // restart from scratch
  });

  it('delta: token=latest gives no items and a deltaLink for now; a token never issued is 410', async () => {
    await put('/me/drive/root:/latest/old:/content', 'o');
    const now = (await (await get('/me/drive/root:/latest:/delta?token=latest')).json()) as { value: unknown[]; '@odata.deltaLink': string; '@odata.nextLink'?: string };
    expect(now.value).toEqual([]);
    expect(now['@odata.nextLink']).toBeUndefined();
    const quiet = (await (await fetch(now['@odata.deltaLink'], { headers: auth })).json()) as { value: unknown[] };
    expect(quiet.value).toEqual([]);
    await put('/me/drive/root:/elsewhere/x:/content', 'x'); // outside the folder: not its change
    expect(((await (await fetch(now['@odata.deltaLink'], { headers: auth })).json()) as { value: unknown[] }).value).toEqual([]);
    await put('/me/drive/root:/latest/sub/new:/content', 'n');
    const after = (await (await fetch(now['@odata.deltaLink'], { headers: auth })).json()) as { value: { name: string }[] };
    expect(after.value.map((v) => v.name)).toEqual(['latest', 'sub', 'new']);
    for (const token of ['bm90LWEtbnVtYmVy', Buffer.from('99999999').toString('base64url')]) {
      expect((await get(`/me/drive/root:/latest:/delta?token=${token}`)).status).toBe(410);
    }
  });

  it('delta: pages of at most $top items (parents included) through @odata.nextLink to one deltaLink', async () => {
    const start = (await (await get('/me/drive/root:/paged:/delta?token=latest')).json()) as { '@odata.deltaLink': string };
    for (let i = 0; i < 7; i++) await put(`/me/drive/root:/paged/f${i}:/content`, String(i));
    const names: string[] = [];
    let link: string | undefined = start['@odata.deltaLink'];
    let pages = 0;
    for (;;) {
      const page = (await (await fetch(link, { headers: auth })).json()) as { value: { name: string }[]; '@odata.nextLink'?: string; '@odata.deltaLink'?: string };
      pages++;
      expect(page.value.length).toBeLessThanOrEqual(3);
      names.push(...page.value.map((v) => v.name));
      if (!page['@odata.nextLink']) break;
      link = page['@odata.nextLink'];
    }
    expect(pages).toBeGreaterThan(2);
    expect(names.filter((n) => n !== 'paged')).toEqual(['f0', 'f1', 'f2', 'f3', 'f4', 'f5', 'f6']);
  });

  it('delta: with deltaOnlyAtRoot, a folder of a Business drive answers 501 notSupported, its root answers', async () => {
    const { emulator, server: s, graphBase } = await localEmulator({ deltaOnlyAtRoot: true });
    try {
      emulator.graph.addDrive('b!biz', 'business');
      const h = { headers: auth };
      expect((await fetch(`${graphBase}/drives/b!biz/root:/lib/x:/content`, { method: 'PUT', ...h, body: 'x' })).status).toBe(201);
      const folder = await fetch(`${graphBase}/drives/b!biz/root:/lib:/delta?token=latest`, h);
      expect(folder.status).toBe(501);
      expect(await folder.json()).toMatchObject({ error: { code: 'notSupported' } });
      expect((await fetch(`${graphBase}/drives/b!biz/root/delta?token=latest`, h)).status).toBe(200);
      expect((await fetch(`${graphBase}/me/drive/root:/lib/x:/content`, { method: 'PUT', ...h, body: 'x' })).status).toBe(201);
      expect((await fetch(`${graphBase}/me/drive/root:/lib:/delta?token=latest`, h)).status).toBe(200); // personal: folders too
    } finally {
      await s.close();
    }
  });

  it('counts requests that ignore an announced Retry-After (so the storm test can fail)', () => {
    const t = new Throttler();
    const start = Date.now();
    t.startStorm({ durationMs: 1000, retryAfter: 'seconds' }, start);
    expect(t.check(start)?.headers.get('retry-after')).toBe('1');
    t.check(start + 50); // in flight before the client could know: tolerated
    expect(t.stats.earlyRequests).toBe(0);
    t.check(start + 400); // a client that did not wait
    expect(t.stats.earlyRequests).toBe(1);
    expect(t.check(start + 1001)).toBeUndefined();
  });
});
