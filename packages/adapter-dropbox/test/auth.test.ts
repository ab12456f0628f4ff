/**
 * `syncacross auth dropbox` end to end against the emulator on a loopback port: PKCE code flow
 * with a loopback redirect or a pasted code, the refresh token stored 0600, automatic refresh,
 * and a clear AuthFailed once the user revokes the app.
 */
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import adapter, { createDropboxStorage, optionsSchema, tokenFilePath } from '@syncacross/adapter-dropbox';
import type { AuthContext } from '@syncacross/sync-core';
import type { DropboxEmulator } from '../src/emulator/index.js';
import { httpEmulator } from './support/emulator.js';

let emulator: DropboxEmulator;
let baseUrl: string;
let close: () => Promise<void>;
let credentialsDir: string;
beforeAll(async () => {
  const started = await httpEmulator();
  emulator = started.emulator;
  baseUrl = started.server.url;
  close = started.server.close;
  credentialsDir = join(await mkdtemp(join(tmpdir(), 'syncacross-dropbox-auth-')), 'credentials');
});
afterAll(async () => {
  await close();
  await rm(join(credentialsDir, '..'), { recursive: true, force: true });
});

const logs: string[] = [];
/** A browser that follows Dropbox's consent page (auto-approved by the emulator) back to the loopback redirect. */
const browser: AuthContext['openUrl'] = async (url) => {
  const consent = await fetch(url, { redirect: 'manual' });
  const back = consent.headers.get('location');
  if (!back) throw new Error(`no redirect from ${url}: ${consent.status}`);
  expect(back).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?code=/);
  await fetch(back);
};
const options = (extra: Record<string, unknown> = {}) => optionsSchema.parse({ appKey: 'emulator-app', baseUrl, redirectPort: 0, root: '/library', ...extra });

describe('PKCE authorization', () => {
  it('authorizes through a loopback redirect and stores the refresh token with mode 0600', async () => {
    await adapter.auth!(options({ authFlow: 'loopback' }), { credentialsDir, log: (m) => logs.push(m), openUrl: browser });
    const file = tokenFilePath(credentialsDir, 'default');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(credentialsDir)).mode & 0o777).toBe(0o700);
    const stored = JSON.parse(await readFile(file, 'utf8')) as { appKey: string; refreshToken: string };
    expect(stored.appKey).toBe('emulator-app');
    expect(emulator.oauth.grants.hasRefreshToken(stored.refreshToken)).toBe(true);
    expect(logs.join('\n')).not.toContain(stored.refreshToken); // secrets stay out of logs
    expect(emulator.requests('oauth2/authorize')).toBe(2); // the redirect URI preflight (redirect.ts), then the browser
  });

  it('sends a PKCE S256 challenge, asks for offline access and sends no secret', async () => {
    let consentUrl = '';
    await adapter.auth!(options({ authFlow: 'loopback', profile: 'pkce-check' }), {
      credentialsDir,
      log: () => undefined,
      openUrl: async (url) => {
        consentUrl = url;
        await browser(url);
      },
    });
    const u = new URL(consentUrl);
    expect(u.searchParams.get('code_challenge_method')).toBe('S256');
    expect(u.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(u.searchParams.get('token_access_type')).toBe('offline');
    expect(consentUrl).not.toContain('client_secret');
  });

  it('accepts a pasted code when there is no browser redirect', async () => {
    await adapter.auth!(options({ authFlow: 'paste', profile: 'pasted' }), {
      credentialsDir,
      log: () => undefined,
      openUrl: async (url) => {
        expect(new URL(url).searchParams.has('redirect_uri')).toBe(false);
        pasted = /<code id="auth-code">([^<]+)<\/code>/.exec(await (await fetch(url)).text())![1]!;
      },
      prompt: async () => pasted,
    });
    expect(JSON.parse(await readFile(tokenFilePath(credentialsDir, 'pasted'), 'utf8')).refreshToken).toMatch(/^rt\./);
  });
  let pasted = '';

  it('reports a refused consent as AuthFailed', async () => {
    emulator.oauth.decision = 'deny';
    const follow = async (url: string) => void (await fetch((await fetch(url, { redirect: 'manual' })).headers.get('location')!));
    try {
      const e = await adapter.auth!(options({ authFlow: 'loopback', profile: 'denied' }), { credentialsDir, log: () => undefined, openUrl: follow }).catch((x: unknown) => x);
      expect(e).toMatchObject({ code: 'AuthFailed', message: expect.stringContaining('access_denied') });
    } finally {
      emulator.oauth.decision = 'approve';
    }
  });

  it('the emulator only exchanges a code with the verifier that matches its challenge', async () => {
    const { createHash } = await import('node:crypto');
    const verifier = 'v'.repeat(64);
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const codeFor = async () => {
      const r = await fetch(`${baseUrl}/oauth2/authorize?client_id=emulator-app&response_type=code&token_access_type=offline&code_challenge_method=S256&code_challenge=${challenge}`);
      return /<code id="auth-code">([^<]+)</.exec(await r.text())![1]!;
    };
    const exchange = async (code: string, v?: string) =>
      fetch(`${baseUrl}/oauth2/token?grant_type=authorization_code&client_id=emulator-app&code=${code}${v ? `&code_verifier=${v}` : ''}`, { method: 'POST' });
    const wrong = await exchange(await codeFor(), 'x'.repeat(64));
    expect(wrong.status).toBe(400);
    expect(await wrong.json()).toMatchObject({ error: 'invalid_grant' });
    const right = await exchange(await codeFor(), verifier);
    expect(right.status).toBe(200);
    expect(await right.json()).toMatchObject({ token_type: 'bearer', refresh_token: expect.any(String), expires_in: 14400 });
  });
});

describe('using the stored authorization', () => {
  it('creates a storage from the token file and refreshes the access token by itself', async () => {
    const tokensBefore = emulator.requests('oauth2/token');
    const storage = await adapter.create(options(), { credentialsDir, log: () => undefined });
    expect(await storage.putIfAbsent('k', new TextEncoder().encode('v'))).toBe('created');
    expect(emulator.requests('oauth2/token')).toBe(tokensBefore + 1); // one refresh, then the access token is reused
    await storage.list('');
    expect(emulator.requests('oauth2/token')).toBe(tokensBefore + 1);

    emulator.oauth.expireAccessTokens(); // Dropbox says expired_access_token: refresh once, repeat the call
    expect((await storage.list('')).objects.map((o) => o.key)).toEqual(['k']);
    expect(emulator.requests('oauth2/token')).toBe(tokensBefore + 2);
  });

  it('says to run `syncacross auth dropbox` when the app was revoked', async () => {
    const storage = await adapter.create(options(), { credentialsDir, log: () => undefined });
    await storage.list('');
    emulator.oauth.revokeApp('emulator-app');
    const e = await storage.list('').catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'AuthFailed' });
    expect((e as Error).message).toMatch(/revoked.*syncacross auth dropbox/);
  });

  it('says to run `syncacross auth dropbox` when nothing was stored yet', async () => {
    await expect(createDropboxStorage({ baseUrl, profile: 'never-authorized' }, { credentialsDir })).rejects.toMatchObject({
      code: 'AuthFailed',
      message: expect.stringContaining('syncacross auth dropbox'),
    });
  });

  it('needs an app key to authorize', async () => {
    await expect(adapter.auth!(optionsSchema.parse({ baseUrl }), { credentialsDir, log: () => undefined, openUrl: () => undefined })).rejects.toMatchObject({ code: 'InvalidConfig' });
  });
});
