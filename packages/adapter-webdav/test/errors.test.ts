/**
 * HTTP answers → the contract's error codes, driven through the adapter with msw (the `webdav`
 * client goes through node:http, which msw intercepts). Servers are asked nothing at creation
 * (`probe: false`), so every request here is one the operation itself sends.
 */
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isTransient, withRetry } from '@syncacross/sync-core';
import { createWebDavStorage } from '@syncacross/adapter-webdav';

const BASE = 'http://dav.test/lib';
type Handler = (request: Request) => Response | Promise<Response>;
let handle: Handler = () => new HttpResponse(null, { status: 500 });
const seen: { method: string; path: string; headers: Headers }[] = [];
const server = setupServer(
  http.all(/^http:\/\/dav\.test\//, async ({ request }) => {
    seen.push({ method: request.method, path: new URL(request.url).pathname, headers: request.headers });
    return handle(request);
  }),
);
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => {
  seen.length = 0;
  server.resetHandlers();
});
afterAll(() => server.close());

const storage = (extra: Record<string, unknown> = {}) => createWebDavStorage({ url: BASE, probe: false, ...extra });
const status =
  (code: number, headers: Record<string, string> = {}) =>
  () =>
    new HttpResponse(null, { status: code, headers });

describe('a failed GET maps to the contract codes', () => {
  const cases: [number, Record<string, string>, string, number | undefined][] = [
    [401, {}, 'AuthFailed', undefined],
    [403, {}, 'AuthFailed', undefined],
    [404, {}, 'NotFound', undefined],
    [405, {}, 'NotSupported', undefined],
    [409, {}, 'Unavailable', undefined],
    [413, {}, 'TooLarge', undefined],
    [423, {}, 'Unavailable', undefined], // locked by another client (Nextcloud): retry this request
    [429, { 'Retry-After': '7' }, 'RateLimited', 7000],
    [429, {}, 'RateLimited', undefined],
    [500, {}, 'Unavailable', undefined],
    [502, {}, 'Unavailable', undefined],
    [503, { 'Retry-After': '2' }, 'RateLimited', 2000],
    [503, {}, 'Unavailable', undefined],
    [507, {}, 'NoSpace', undefined],
  ];
  it.each(cases)('HTTP %i %o → %s', async (code, headers, expected, retryAfterMs) => {
    handle = status(code, headers);
    const s = await storage();
    const error = await s.get('a/b').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: expected });
    expect((error as { retryAfterMs?: number }).retryAfterMs).toBe(retryAfterMs);
    // Only what may recover is retried: a 4xx (409 here) is not; 423, 5xx and throttling are.
    expect(isTransient(error)).toBe(['Unavailable', 'RateLimited'].includes(expected) && code !== 409);
  });

  it('a network error is Unavailable, never NotFound', async () => {
    handle = () => HttpResponse.error();
    const s = await storage();
    await expect(s.get('a/b')).rejects.toMatchObject({ code: 'Unavailable' });
    await expect(s.list('a/')).rejects.toMatchObject({ code: 'Unavailable' });
    await expect(s.putIfAbsent('a/b', new Uint8Array(1))).rejects.toMatchObject({ code: 'Unavailable' });
    await expect(s.delete!('a/b')).rejects.toMatchObject({ code: 'Unavailable' });
  });
});

describe('listing fails rather than answering short', () => {
  const multistatus = (hrefs: string[], childStatus = 'HTTP/1.1 200 OK') =>
    `<?xml version="1.0"?><d:multistatus xmlns:d="DAV:">${hrefs
      .map(
        (h, i) =>
          `<d:response><d:href>${h}</d:href><d:propstat><d:prop><d:resourcetype>${h.endsWith('/') ? '<d:collection/>' : ''}</d:resourcetype><d:getcontentlength>3</d:getcontentlength></d:prop><d:status>${i === 0 ? 'HTTP/1.1 200 OK' : childStatus}</d:status></d:propstat></d:response>`,
      )
      .join('')}</d:multistatus>`;
  const xml = (body: string) => () => new HttpResponse(body, { status: 207, headers: { 'Content-Type': 'application/xml' } });

  it('lists what a well-formed answer holds, skipping temporary and foreign names', async () => {
    handle = xml(multistatus(['/lib/log~/', '/lib/log~/a', '/lib/log~/~tmp-0123', '/lib/log~/Thumbs.db', '/lib/log~/%7e41b']));
    const s = await storage();
    expect((await s.list('log/')).objects.map((o) => o.key)).toEqual(['log/Ab', 'log/a']);
  });

  it.each([
    ['a 404 collection is a definite "nothing there"', status(404), 'empty'],
    ['401', status(401), 'AuthFailed'],
    ['500', status(500), 'Unavailable'],
    ['a 200 that is not a multistatus', () => new HttpResponse('<html>login</html>', { status: 200 }), 'Unavailable'],
    ['an unparseable 207', xml('<d:multistatus xmlns:d="DAV:"><d:response>'), 'Unavailable'],
    ['hrefs that do not include the collection itself (a proxy rewriting paths)', xml(multistatus(['/other/log~/', '/other/log~/a'])), 'Unavailable'],
    ['a member the server could not read', xml(multistatus(['/lib/log~/', '/lib/log~/a'], 'HTTP/1.1 500 Internal Server Error')), 'Unavailable'],
  ])('%s', async (_name, handler, expected) => {
    handle = handler as Handler;
    const s = await storage();
    if (expected === 'empty') expect((await s.list('log/')).objects).toEqual([]);
    else await expect(s.list('log/')).rejects.toMatchObject({ code: expected });
  });

  it('one failed PROPFIND deep in the walk fails the whole listing', async () => {
    handle = (request) => {
      const path = new URL(request.url).pathname;
      if (path === '/lib/log~/') return xml(multistatus(['/lib/log~/', '/lib/log~/w1~/', '/lib/log~/w2~/']))();
      if (path === '/lib/log~/w1~/') return xml(multistatus(['/lib/log~/w1~/', '/lib/log~/w1~/1']))();
      return new HttpResponse(null, { status: 503 });
    };
    const s = await storage();
    await expect(s.list('log/')).rejects.toMatchObject({ code: 'Unavailable' });
  });
});

describe('writes', () => {
  /** A tiny server: MKCOL ok, PROPFIND 404, PUT as `put`, MOVE as `move`, DELETE ok. */
  const writes = (put: number, move: number) => (request: Request) => {
    const answers: Record<string, number> = { MKCOL: 201, PROPFIND: 404, PUT: put, MOVE: move, DELETE: 204 };
    return new HttpResponse(null, { status: answers[request.method] ?? 500 });
  };

  it('uploads under a hidden temporary name, then MOVEs it onto the key', async () => {
    handle = writes(201, 201);
    const s = await storage();
    expect(await s.putIfAbsent('packs/w1/1-abc', new Uint8Array([1, 2, 3]))).toBe('created');
    const put = seen.find((r) => r.method === 'PUT')!;
    const move = seen.find((r) => r.method === 'MOVE')!;
    expect(put.path).toMatch(/^\/lib\/packs~\/w1~\/~tmp-[0-9a-f]+$/);
    expect(move.path).toBe(put.path);
    expect(move.headers.get('destination')).toBe(`${BASE}/packs~/w1~/1-abc`);
  });

  it.each([
    [507, 201, 'NoSpace'],
    [413, 201, 'TooLarge'],
    [403, 201, 'AuthFailed'],
    [201, 423, 'Unavailable'],
    [201, 507, 'NoSpace'],
  ])('PUT %i / MOVE %i → %s, and the temporary upload is removed', async (put, move, expected) => {
    handle = writes(put, move);
    const s = await storage();
    await expect(s.putIfAbsent('k', new Uint8Array(1))).rejects.toMatchObject({ code: expected });
    if (put < 300) expect(seen.filter((r) => r.method === 'DELETE').map((r) => r.path)).toEqual([seen.find((r) => r.method === 'PUT')!.path]);
  });

  it('creates parent collections once, then remembers them', async () => {
    handle = writes(201, 201);
    const s = await storage();
    for (let i = 0; i < 5; i++) await s.putIfAbsent(`packs/w1/${i}`, new Uint8Array(1));
    expect(seen.filter((r) => r.method === 'MKCOL').map((r) => r.path)).toEqual(['/lib/packs~/w1~/']);
  });

  it('a missing parent is created from the top (MKCOL answers 409 until its parent exists)', async () => {
    const made = new Set<string>(['/lib/']);
    handle = (request) => {
      const path = new URL(request.url).pathname;
      if (request.method === 'MKCOL') {
        const parent = path.replace(/[^/]+\/$/, '');
        if (!made.has(parent)) return new HttpResponse(null, { status: 409 });
        made.add(path);
        return new HttpResponse(null, { status: 201 });
      }
      return writes(201, 201)(request);
    };
    const s = await storage();
    expect(await s.putIfAbsent('a/b/c', new Uint8Array(1))).toBe('created');
    expect([...made]).toEqual(['/lib/', '/lib/a~/', '/lib/a~/b~/']);
  });

  it('losing a MKCOL race (Apache answers 403) is fine when the collection now exists', async () => {
    handle = (request) => {
      if (request.method === 'MKCOL') return new HttpResponse(null, { status: 403 });
      if (request.method === 'PROPFIND' && request.headers.get('depth') === '0' && new URL(request.url).pathname.endsWith('~/'))
        return new HttpResponse('<d:multistatus xmlns:d="DAV:"/>', { status: 207 });
      return writes(201, 201)(request);
    };
    const s = await storage();
    expect(await s.putIfAbsent('shared/k', new Uint8Array(1))).toBe('created');
  });

  it('a MKCOL refused for good (403, the collection is not there) is AuthFailed', async () => {
    handle = (request) => (request.method === 'MKCOL' ? new HttpResponse(null, { status: 403 }) : writes(201, 201)(request));
    const s = await storage();
    await expect(s.putIfAbsent('shared/k', new Uint8Array(1))).rejects.toMatchObject({ code: 'AuthFailed' });
  });

  it('a collection deleted behind our back is created again (PUT 409 → MKCOL → PUT)', async () => {
    let putCount = 0;
    handle = (request) => (request.method === 'PUT' && putCount++ === 1 ? new HttpResponse(null, { status: 409 }) : writes(201, 201)(request));
    const s = await storage();
    await s.putIfAbsent('d/1', new Uint8Array(1));
    expect(await s.putIfAbsent('d/2', new Uint8Array(1))).toBe('created');
    expect(seen.map((r) => r.method)).toEqual(['MKCOL', 'PROPFIND', 'PUT', 'MOVE', 'PROPFIND', 'PUT', 'MKCOL', 'PUT', 'MOVE']);
  });

  it('delete is idempotent: 404 is success; 423 and 403 are not', async () => {
    const s = await storage();
    handle = status(404);
    await s.delete!('gone');
    handle = status(423);
    await expect(s.delete!('x')).rejects.toMatchObject({ code: 'Unavailable' });
    handle = status(403);
    await expect(s.delete!('x')).rejects.toMatchObject({ code: 'AuthFailed' });
  });
});

describe('throttling under the retry wrapper', () => {
  it('honors Retry-After and completes', async () => {
    let calls = 0;
    handle = () => (++calls <= 2 ? new HttpResponse(null, { status: 429, headers: { 'Retry-After': '3' } }) : new HttpResponse(new Uint8Array([9]), { status: 200 }));
    const sleeps: number[] = [];
    const s = withRetry(await storage(), { baseDelayMs: 1, random: () => 0, sleep: async (ms) => void sleeps.push(ms) });
    expect([...(await s.get('k'))]).toEqual([9]);
    expect(sleeps.filter((ms) => ms >= 3000).length).toBeGreaterThanOrEqual(2);
  });
});

describe('credentials and headers', () => {
  it('sends Basic auth and custom headers', async () => {
    handle = status(404);
    const s = await storage({ username: 'alice', password: 'pw', headers: { 'X-Tenant': 't1' } });
    await expect(s.get('k')).rejects.toMatchObject({ code: 'NotFound' });
    expect(seen[0]!.headers.get('authorization')).toBe(`Basic ${Buffer.from('alice:pw').toString('base64')}`);
    expect(seen[0]!.headers.get('x-tenant')).toBe('t1');
  });

  it('sends a bearer token', async () => {
    handle = status(404);
    const s = await storage({ bearerToken: 'tok123' });
    await expect(s.get('k')).rejects.toMatchObject({ code: 'NotFound' });
    expect(seen[0]!.headers.get('authorization')).toBe('Bearer tok123');
  });
});
