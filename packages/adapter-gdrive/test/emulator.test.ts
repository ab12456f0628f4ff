/** The Drive emulator's protocol, spoken directly (no SDK): what Google documents, it answers. */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createDriveEmulator, type DriveEmulator } from '../src/emulator/index.js';

const BASE = 'https://drive.emulator.test';

async function tokenFor(e: DriveEmulator): Promise<string> {
  const refresh = e.oauth.issueRefreshToken('c');
  const res = await e.handle(new Request(`${BASE}/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refresh, client_id: 'c' }) }));
  return ((await res.json()) as { access_token: string }).access_token;
}

async function setup(options: Parameters<typeof createDriveEmulator>[0] = {}) {
  const e = createDriveEmulator(options);
  const auth = { authorization: `Bearer ${await tokenFor(e)}` };
  const call = (path: string, init: RequestInit = {}) => e.handle(new Request(`${BASE}${path}`, { ...init, headers: { ...auth, ...(init.headers as Record<string, string>) } }));
  const list = async (q: string, extra = '') => {
    const res = await call(`/drive/v3/files?q=${encodeURIComponent(q)}&fields=${encodeURIComponent('nextPageToken,incompleteSearch,files(id,name,size,parents)')}${extra}`);
    return { status: res.status, body: (await res.json()) as { files: { id: string; name: string; size?: string }[]; nextPageToken?: string; incompleteSearch?: boolean; error?: unknown } };
  };
  const upload = async (name: string, bytes: Buffer, parents = ['root']) => {
    const boundary = 'b0undary';
    const body = Buffer.concat([
      Buffer.from(`--${boundary}\r\ncontent-type: application/json\r\n\r\n${JSON.stringify({ name, parents })}\r\n--${boundary}\r\ncontent-type: application/octet-stream\r\n\r\n`),
      bytes,
      Buffer.from(`\r\n--${boundary}--`),
    ]);
    const res = await call('/upload/drive/v3/files?uploadType=multipart&fields=id,name,size,md5Checksum', {
      method: 'POST',
      body,
      headers: { 'content-type': `multipart/related; boundary=${boundary}` },
    });
    return (await res.json()) as { id: string; name: string; size: string; md5Checksum: string };
  };
  return { e, call, list, upload };
}

describe('Drive emulator', () => {
  it('allows duplicate names and answers q queries with quoting, and/or/not and parentheses', async () => {
    const { list, upload } = await setup();
    const a = await upload("it's a\\file", Buffer.from('1'));
    const b = await upload("it's a\\file", Buffer.from('2'));
    expect(a.id).not.toBe(b.id);
    const byName = await list(`name = 'it\\'s a\\\\file' and trashed = false and ('root' in parents or 'nope' in parents)`);
    expect(byName.body.files.map((f) => f.id)).toEqual([a.id, b.id]);
    expect((await list(`not name = 'it\\'s a\\\\file' and 'root' in parents`)).body.files).toEqual([]);
  });

  it("rejects query forms it does not know with 400 invalid, in Drive's error shape", async () => {
    const { list } = await setup();
    for (const q of ["name ~ 'x'", "fullText contains 'x'", "name = 'unterminated", "name = 'x' and", "'x' in owners"]) {
      const r = await list(q);
      expect(r.status, q).toBe(400);
      expect(r.body.error).toMatchObject({ code: 400, errors: [{ domain: 'global', reason: 'invalid', location: 'q' }] });
    }
  });

  it('pages with pageSize and nextPageToken, refuses pageSize over 1000, and honors fields', async () => {
    const { list, upload, call } = await setup();
    for (let i = 0; i < 25; i++) await upload(`f${i}`, Buffer.from([i]));
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const r = await list("'root' in parents", `&pageSize=10${token ? `&pageToken=${token}` : ''}`);
      seen.push(...r.body.files.map((f) => f.name));
      expect(Object.keys(r.body.files[0]!).sort()).toEqual(['id', 'name', 'parents', 'size']);
      token = r.body.nextPageToken;
    } while (token);
    expect(seen).toEqual(Array.from({ length: 25 }, (_, i) => `f${i}`));
    expect((await call('/drive/v3/files?pageSize=1001')).status).toBe(400);
    const defaults = (await (await call('/drive/v3/files')).json()) as { files: Record<string, unknown>[] };
    expect(Object.keys(defaults.files[0]!).sort()).toEqual(['id', 'kind', 'mimeType', 'name']);
  });

  it('keeps new files out of searches for the lag, but serves them by id at once', async () => {
    let now = 1_000_000;
    const { list, upload, call } = await setup({ searchLagMs: 5_000, now: () => now });
    const f = await upload('late', Buffer.from('x'));
    expect((await list("name = 'late'")).body.files).toEqual([]);
    expect((await call(`/drive/v3/files/${f.id}?fields=id,name`)).status).toBe(200);
    now += 5_000;
    expect((await list("name = 'late'")).body.files.map((x) => x.id)).toEqual([f.id]);
  });

  it('serves alt=media with Range as 206, and 416 past the end', async () => {
    const { upload, call } = await setup();
    const bytes = Buffer.from(Array.from({ length: 100 }, (_, i) => i));
    const f = await upload('r', bytes);
    expect(f.md5Checksum).toBe(createHash('md5').update(bytes).digest('hex'));
    const part = await call(`/drive/v3/files/${f.id}?alt=media`, { headers: { range: 'bytes=10-19' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe('bytes 10-19/100');
    expect(Buffer.from(await part.arrayBuffer())).toEqual(bytes.subarray(10, 20));
    expect((await call(`/drive/v3/files/${f.id}?alt=media`, { headers: { range: 'bytes=95-200' } })).status).toBe(206);
    expect((await call(`/drive/v3/files/${f.id}?alt=media`, { headers: { range: 'bytes=100-' } })).status).toBe(416);
  });

  it('runs the resumable protocol: session URI, 308 with Range, status query, completion', async () => {
    const { e, call } = await setup();
    const total = 1024 * 1024;
    const bytes = Buffer.alloc(total, 7);
    const init = await call('/upload/drive/v3/files?uploadType=resumable&fields=id,size', {
      method: 'POST',
      body: JSON.stringify({ name: 'big', parents: ['root'] }),
      headers: { 'content-type': 'application/json', 'x-upload-content-length': String(total) },
    });
    expect(init.status).toBe(200);
    const session = init.headers.get('location')!;
    const put = (body: Buffer | undefined, range: string) => e.handle(new Request(session, { method: 'PUT', body, headers: { 'content-range': range } }));
    const none = await put(undefined, `bytes */${total}`);
    expect([none.status, none.headers.get('range')]).toEqual([308, null]);
    expect((await put(bytes.subarray(0, 100_000), `bytes 0-99999/${total}`)).status).toBe(400); // not a 256 KiB multiple
    const first = await put(bytes.subarray(0, 262_144), `bytes 0-262143/${total}`);
    expect([first.status, first.headers.get('range')]).toEqual([308, 'bytes=0-262143']);
    e.uploads.failNextChunkAfterBytes = 262_144 + 1000; // the connection drops mid-chunk
    expect((await put(bytes.subarray(262_144, 786_432), `bytes 262144-786431/${total}`)).status).toBe(503);
    const status = await put(undefined, `bytes */${total}`);
    expect(status.headers.get('range')).toBe('bytes=0-524287'); // whole 256 KiB blocks were kept
    expect(e.files().some((f) => f.name === 'big')).toBe(false); // never visible partially
    const done = await put(bytes.subarray(524_288), `bytes 524288-${total - 1}/${total}`);
    expect(done.status).toBe(200);
    expect(await done.json()).toMatchObject({ size: String(total) });
  });

  it('throttles writes over the quota with 403 userRateLimitExceeded and injects 429/5xx on demand', async () => {
    let now = 0;
    const { e, call, upload } = await setup({ writeQuota: { writes: 2, windowMs: 100 }, now: () => now });
    await upload('a', Buffer.from('a'));
    await upload('b', Buffer.from('b'));
    const refused = await call('/drive/v3/files', { method: 'POST', body: '{"name":"c"}' });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ error: { code: 403, errors: [{ domain: 'usageLimits', reason: 'userRateLimitExceeded' }] } });
    now += 100;
    expect((await call('/drive/v3/files', { method: 'POST', body: '{"name":"c"}' })).status).toBe(200);
    e.inject({ error: '429', retryAfterSeconds: 3 });
    const r = await call('/drive/v3/files');
    expect([r.status, r.headers.get('retry-after')]).toEqual([429, '3']);
    e.inject({ error: '503' });
    expect((await call('/drive/v3/files')).status).toBe(503);
    e.listBehaviour.incompleteSearches = 1;
    expect(((await (await call('/drive/v3/files?fields=incompleteSearch')).json()) as { incompleteSearch: boolean }).incompleteSearch).toBe(true);
  });

  it('answers 401 without a live token, and deletes with 204 then 404', async () => {
    const { e, call, upload } = await setup();
    expect((await e.handle(new Request(`${BASE}/drive/v3/files`))).status).toBe(401);
    const f = await upload('gone', Buffer.from('x'));
    expect((await call(`/drive/v3/files/${f.id}`, { method: 'DELETE' })).status).toBe(204);
    const again = await call(`/drive/v3/files/${f.id}`, { method: 'DELETE' });
    expect(again.status).toBe(404);
    expect(await again.json()).toMatchObject({ error: { errors: [{ reason: 'notFound' }] } });
  });

  it('verifies PKCE at the token endpoint and refuses revoked refresh tokens with invalid_grant', async () => {
    const e = createDriveEmulator();
    const verifier = 'v'.repeat(50);
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const redirect = 'http://127.0.0.1:5555/';
    const auth = e.handle(
      new Request(
        `${BASE}/o/oauth2/v2/auth?client_id=c&response_type=code&access_type=offline&redirect_uri=${encodeURIComponent(redirect)}&code_challenge=${challenge}&code_challenge_method=S256&state=s1`,
      ),
    );
    const location = new URL((await auth).headers.get('location')!);
    expect(location.origin + location.pathname).toBe(redirect);
    expect(location.searchParams.get('state')).toBe('s1');
    const exchange = (code: string, code_verifier: string) =>
      e.handle(new Request(`${BASE}/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'authorization_code', code, code_verifier, client_id: 'c', redirect_uri: redirect }) }));
    const code = location.searchParams.get('code')!;
    const bad = await exchange(code, 'w'.repeat(50));
    expect(await bad.json()).toEqual({ error: 'invalid_grant', error_description: 'Invalid code verifier.' });
    // Codes are single-use, so ask for a new one and exchange it properly.
    const again = new URL(
      (
        await e.handle(
          new Request(
            `${BASE}/o/oauth2/v2/auth?client_id=c&response_type=code&access_type=offline&redirect_uri=${encodeURIComponent(redirect)}&code_challenge=${challenge}&code_challenge_method=S256`,
          ),
        )
      ).headers.get('location')!,
    );
    const good = (await (await exchange(again.searchParams.get('code')!, verifier)).json()) as { refresh_token: string };
    expect(good.refresh_token).toMatch(/^1\/\//);
    expect((await e.handle(new Request(`${BASE}/revoke?token=${encodeURIComponent(good.refresh_token)}`, { method: 'POST' }))).status).toBe(200);
    const refresh = await e.handle(new Request(`${BASE}/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: good.refresh_token, client_id: 'c' }) }));
    expect([refresh.status, await refresh.json()]).toEqual([400, { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' }]);
  });
});

describe('Drive emulator real-world modes (src/emulator/real-world.ts)', () => {
  const folder = async (call: Awaited<ReturnType<typeof setup>>['call'], name: string) =>
    (await (await call('/drive/v3/files?fields=id', { method: 'POST', body: JSON.stringify({ name, mimeType: 'application/vnd.google-apps.folder', parents: ['root'] }) })).json()) as { id: string };

  it("orOfParentsDrops: an OR of parents answers only the first parent's children ('some') or none ('all'); one parent answers all", async () => {
    for (const [mode, want] of [
      ['some', ['a1']],
      ['all', []],
    ] as const) {
      const { call, list, upload } = await setup({ orOfParentsDrops: mode });
      const [a, b] = [await folder(call, 'A'), await folder(call, 'B')];
      await upload('a1', Buffer.from('1'), [a.id]);
      await upload('b1', Buffer.from('2'), [b.id]);
      const both = await list(`trashed = false and ('${a.id}' in parents or '${b.id}' in parents)`);
      expect(both.body.files.map((f) => f.name)).toEqual(want);
      expect(both.body.incompleteSearch).toBe(false);
      expect((await list(`'${b.id}' in parents and trashed = false`)).body.files.map((f) => f.name)).toEqual(['b1']);
    }
  });

  it("caseInsensitiveNameQueries: name = '…' matches any case; off, it matches exactly", async () => {
    for (const [on, want] of [
      [true, ['Pack', 'pack']],
      [false, ['pack']],
    ] as const) {
      const { list, upload } = await setup({ caseInsensitiveNameQueries: on });
      await upload('Pack', Buffer.from('1'));
      await upload('pack', Buffer.from('2'));
      expect((await list("name = 'pack'")).body.files.map((f) => f.name)).toEqual(want);
    }
  });

  it('contentManager: files.delete is 403 insufficientFilePermissions, files.update trashed works; another account’s file refuses both', async () => {
    const { e, call, upload } = await setup({ contentManager: true });
    const f = await upload('x', Buffer.from('x'));
    const del = await call(`/drive/v3/files/${f.id}`, { method: 'DELETE' });
    expect(del.status).toBe(403);
    expect(JSON.stringify(await del.json())).toContain('insufficientFilePermissions');
    const trash = await call(`/drive/v3/files/${f.id}?fields=id,trashed`, { method: 'PATCH', body: JSON.stringify({ trashed: true }) });
    expect(await trash.json()).toEqual({ id: f.id, trashed: true });
    const foreign = e.store.create({ name: 'y', bytes: Buffer.from('y'), ownedByOther: true });
    expect((await call(`/drive/v3/files/${foreign.id}`, { method: 'PATCH', body: JSON.stringify({ trashed: true }) })).status).toBe(403);
  });

  it('quotas and the folder cap answer 403s with the reasons Drive uses', async () => {
    const { call, upload } = await setup({ dailyUploadBytes: 3, downloadsPerFilePerDay: 1, maxChildrenPerFolder: 1 });
    const f = await upload('x', Buffer.from('xyz'));
    expect(await upload('y', Buffer.from('y'))).toMatchObject({ error: { code: 403, errors: [{ reason: 'userRateLimitExceeded', message: 'User rate limit exceeded.' }] } });
    expect((await call(`/drive/v3/files/${f.id}?alt=media`)).status).toBe(200);
    expect(JSON.stringify(await (await call(`/drive/v3/files/${f.id}?alt=media`)).json())).toContain('downloadQuotaExceeded');
    const d = await folder(call, 'D');
    await call('/drive/v3/files', { method: 'POST', body: JSON.stringify({ name: 'one', parents: [d.id] }) });
    const second = await call('/drive/v3/files', { method: 'POST', body: JSON.stringify({ name: 'two', parents: [d.id] }) });
    expect(second.status).toBe(403);
    expect(JSON.stringify(await second.json())).toContain('numChildrenInNonRootLimitExceeded');
  });
});

describe('Drive emulator: the change log (changes-api.ts)', () => {
  it('changes: a start token, then every create, update and delete since, paged, with parents when fields ask', async () => {
    const { e, call, upload } = await setup();
    type ChangeList = { changes: { fileId: string; removed: boolean; file?: { parents?: string[]; name?: string } }[]; nextPageToken?: string; newStartPageToken?: string };
    const changes = async (token: string, extra = '') => {
      const res = await call(`/drive/v3/changes?pageToken=${token}&fields=${encodeURIComponent('nextPageToken,newStartPageToken,changes(fileId,removed,file(parents))')}${extra}`);
      return { status: res.status, body: (await res.json()) as ChangeList };
    };
    await upload('before', Buffer.from('0'));
    const start = ((await (await call('/drive/v3/changes/startPageToken')).json()) as { startPageToken: string }).startPageToken;
    const quiet = await changes(start);
    expect(quiet.body).toEqual({ newStartPageToken: start, changes: [] });
    const a = await upload('a', Buffer.from('1'));
    const b = await upload('b', Buffer.from('2'));
    await call(`/drive/v3/files/${b.id}`, { method: 'PATCH', body: JSON.stringify({ trashed: true }), headers: { 'content-type': 'application/json' } });
    await call(`/drive/v3/files/${a.id}`, { method: 'DELETE' });
    const seen: ChangeList['changes'] = [];
    let token = start;
    let pages = 0;
    for (;;) {
      const page = await changes(token, '&pageSize=2');
      expect(page.status).toBe(200);
      pages++;
      seen.push(...page.body.changes);
      if (page.body.newStartPageToken) {
        token = page.body.newStartPageToken;
        break;
      }
      token = page.body.nextPageToken!;
    }
    expect(pages).toBe(2);
    // As on Drive, a change shows the file as it is now: `a`, deleted since, is removed in both of its changes.
    expect(seen).toEqual([
      { fileId: a.id, removed: true },
      { fileId: b.id, removed: false, file: { parents: [e.store.myDriveRootId] } },
      { fileId: b.id, removed: false, file: { parents: [e.store.myDriveRootId] } },
      { fileId: a.id, removed: true },
    ]);
    expect((await changes(token)).body.changes).toEqual([]);
    // Files of the app data folder are in the log only for spaces=appDataFolder.
    await upload('private', Buffer.from('p'), ['appDataFolder']);
    expect((await changes(token)).body.changes).toEqual([]);
    expect((await changes(token, '&spaces=appDataFolder')).body.changes).toHaveLength(1);
  });

  it('changes: a page token never issued, or expired, is 400 invalid pageToken', async () => {
    const { e, call } = await setup();
    const start = ((await (await call('/drive/v3/changes/startPageToken')).json()) as { startPageToken: string }).startPageToken;
    for (const bad of ['nonsense', '0', '999999']) {
      const r = await call(`/drive/v3/changes?pageToken=${bad}`);
      expect(r.status, bad).toBe(400);
      expect(await r.json()).toMatchObject({ error: { errors: [{ reason: 'invalid', location: 'pageToken' }] } });
    }
    expect((await call(`/drive/v3/changes?pageToken=${start}`)).status).toBe(200);
    e.expireChangeTokens();
    expect((await call(`/drive/v3/changes?pageToken=${start}`)).status).toBe(400);
  });
});
