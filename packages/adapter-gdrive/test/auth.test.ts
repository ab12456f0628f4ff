/**
 * Authorization end to end against the emulator's OAuth endpoints: loopback redirect + PKCE,
 * the refresh token saved 0600, automatic refresh of access tokens, and a revoked token that
 * tells the user what to do.
 */
import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import adapter, { createGdriveStorage } from '@syncacross/adapter-gdrive';
import { isStorageError, type AuthContext } from '@syncacross/sync-core';
import { CLIENT_ID, CLIENT_SECRET, manualClock, mswServer, newEmulator } from './support/emulator.js';

beforeAll(() => mswServer.listen({ onUnhandledRequest: 'bypass' }));
afterAll(() => mswServer.close());

/** Options as the CLI hands them to the module: validated, defaults filled in. */
function parsed(input: Record<string, unknown>) {
  const r = adapter.optionsSchema.safeParse(input);
  if (!r.success) throw new Error(JSON.stringify(r.error.issues));
  return r.data;
}

/** A fake browser: follows the consent URL and the redirect to the loopback listener. */
async function browse(url: string, seen: string[]): Promise<void> {
  seen.push(url);
  const consent = await fetch(url, { redirect: 'manual' });
  const location = consent.headers.get('location');
  if (consent.status !== 302 || !location) throw new Error(`consent screen answered ${consent.status}`);
  seen.push(location);
  await (await fetch(location)).text();
}

async function context(): Promise<AuthContext & { urls: string[]; logs: string[] }> {
  const credentialsDir = join(await mkdtemp(join(tmpdir(), 'gdrive-auth-')), 'credentials');
  const urls: string[] = [];
  const logs: string[] = [];
  return { credentialsDir, urls, logs, log: (m) => logs.push(m), openUrl: (url) => void browse(url, urls).catch((e: unknown) => logs.push(`browser: ${String(e)}`)) };
}

describe('gdrive authorization', () => {
  it('runs the installed-app flow (loopback + PKCE S256), saves the refresh token 0600, and syncs with it', async () => {
    const { emulator, rootUrl } = newEmulator({ clients: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }] });
    const ctx = await context();
    const options = { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, folderName: 'lib', rootUrl, credentialsName: 'me@example.com' };
    await adapter.auth!(parsed(options), ctx);

    const consent = new URL(ctx.urls[0]!);
    expect(consent.pathname).toBe('/o/oauth2/v2/auth');
    expect(consent.searchParams.get('code_challenge_method')).toBe('S256');
    expect(consent.searchParams.get('access_type')).toBe('offline');
    expect(consent.searchParams.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(new URL(ctx.urls[1]!).searchParams.get('state')).toBe(consent.searchParams.get('state'));
    expect(emulator.oauth.stats.authorizationCodeGrants).toBe(1);

    const file = join(ctx.credentialsDir, 'gdrive-me@example.com.json');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(ctx.credentialsDir)).mode & 0o777).toBe(0o700);
    const saved = JSON.parse(await readFile(file, 'utf8')) as { refresh_token: string; client_id: string };
    expect(saved.client_id).toBe(CLIENT_ID);
    expect(JSON.stringify(saved)).not.toContain(CLIENT_SECRET);

    const storage = await adapter.create(parsed(options), ctx);
    expect(await storage.putIfAbsent('format', new TextEncoder().encode('v1'))).toBe('created');
    expect(emulator.oauth.stats.refreshGrants).toBe(1); // the access token came from the saved refresh token
  });

  it('refreshes short-lived access tokens by itself', async () => {
    const clock = manualClock();
    const { emulator, rootUrl } = newEmulator({ accessTokenTtlSeconds: 1, now: clock.now });
    const storage = await createGdriveStorage({ clientId: CLIENT_ID, refreshToken: emulator.oauth.issueRefreshToken(CLIENT_ID), folderName: 'lib', rootUrl });
    await storage.putIfAbsent('a', new Uint8Array([1]));
    const before = emulator.oauth.stats.refreshGrants;
    clock.advance(1_100); // the emulator now refuses the first access token
    expect(await storage.get('a')).toEqual(new Uint8Array([1]));
    expect(emulator.oauth.stats.refreshGrants).toBeGreaterThan(before);
  });

  it('a failing token endpoint is asked once per operation: the engine retries, not the HTTP client underneath as well', async () => {
    const { emulator, rootUrl } = newEmulator();
    const storage = await createGdriveStorage({ clientId: CLIENT_ID, refreshToken: emulator.oauth.issueRefreshToken(CLIENT_ID), folderName: 'lib', rootUrl });
    emulator.oauth.failTokenRequests(10);
    const before = emulator.oauth.stats.tokenRequests;
    const e = await storage.get('a').catch((x: unknown) => x);
    expect(isStorageError(e, 'Unavailable'), String(e)).toBe(true); // retryable: the engine tries again
    expect(emulator.oauth.stats.tokenRequests - before).toBe(1); // gaxios' own 3 retries would make it 4
  });

  it('a revoked authorization fails with AuthFailed telling the user to run `syncacross auth gdrive`', async () => {
    const { emulator, rootUrl } = newEmulator();
    const storage = await createGdriveStorage({ clientId: CLIENT_ID, refreshToken: emulator.oauth.issueRefreshToken(CLIENT_ID), folderName: 'lib', rootUrl });
    await storage.putIfAbsent('a', new Uint8Array([1]));
    emulator.oauth.revokeAll(); // the user removed the app at myaccount.google.com/permissions
    for (const op of [() => storage.get('a'), () => storage.list(''), () => storage.putIfAbsent('b', new Uint8Array([2]))]) {
      const e = await op().catch((x: unknown) => x);
      expect(isStorageError(e, 'AuthFailed'), String(e)).toBe(true);
      expect((e as Error).message).toContain('invalid_grant');
      expect((e as Error).message).toContain('syncacross auth gdrive');
    }
  });

  it('without any saved authorization, create fails with AuthFailed naming the token file', async () => {
    const ctx = await context();
    const e = await adapter.create(parsed({ clientId: CLIENT_ID, folderName: 'lib', rootUrl: 'https://x.gdrive.test/' }), ctx).catch((x: unknown) => x);
    expect(isStorageError(e, 'AuthFailed')).toBe(true);
    expect((e as Error).message).toContain(join(ctx.credentialsDir, 'gdrive-default.json'));
  });

  it('a refused consent is reported, and nothing is saved', async () => {
    const { rootUrl } = newEmulator({ consent: 'deny' });
    const ctx = await context();
    const e = await adapter.auth!(parsed({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, folderName: 'lib', rootUrl }), ctx).catch((x: unknown) => x);
    expect(isStorageError(e, 'AuthFailed')).toBe(true);
    expect((e as Error).message).toContain('access_denied');
    await expect(stat(join(ctx.credentialsDir, 'gdrive-default.json'))).rejects.toThrow();
  });
});
