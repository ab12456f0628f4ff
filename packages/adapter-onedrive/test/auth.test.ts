/**
 * Both sign-in flows end to end against the emulator, through msal-node: device code and
 * loopback + PKCE; tokens saved 0600; automatic refresh; clear messages on consent refused,
 * declined device codes and revoked sign-ins.
 */
import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isStorageError, type AuthContext } from '@syncacross/sync-core';
import adapter, { createOneDriveStorage, tokenFilePath } from '../src/index.js';
import type { OneDriveEmulator } from '../src/emulator/index.js';
import { EMULATOR_ORIGIN, GRAPH_BASE, localEmulator, mswEmulator, stopMsw } from './support/emulator.js';

afterAll(() => stopMsw());

const CLIENT_ID = '11111111-2222-3333-4444-555555555555';

/**
 * A person at a browser: loads the sign-in page, which (response_mode=form_post, as msal-node's
 * loopback server requires) auto-submits a form to the loopback redirect URI.
 */
async function browserVisits(url: string): Promise<void> {
  const page = await fetch(url);
  expect(page.status).toBe(200);
  const html = await page.text();
  const action = /<form method="post" action="([^"]+)"/.exec(html)![1]!.replace(/&#38;/g, '&');
  expect(action).toMatch(/^http:\/\/localhost:\d+\/?$/);
  const fields = new URLSearchParams();
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g))
    fields.set(
      m[1]!,
      m[2]!.replace(/&#(\d+);/g, (_, c: string) => String.fromCharCode(Number(c))),
    );
  await (await fetch(action, { method: 'POST', body: fields })).text();
}

function context(dir: string, emu: OneDriveEmulator | undefined, mode: 'browser' | 'device-approve' | 'device-decline') {
  const logs: string[] = [];
  const ctx: AuthContext = {
    credentialsDir: dir,
    log: (m) => {
      logs.push(m);
      const code = /enter the code (\w+)/.exec(m)?.[1];
      if (code && emu) setTimeout(() => emu.identity.answerDeviceCode(code, mode === 'device-decline' ? 'decline' : 'approve'), 50);
    },
    openUrl: async (url) => {
      if (mode === 'browser') await browserVisits(url);
    },
  };
  return { ctx, logs };
}

const options = (extra: Record<string, unknown> = {}) => {
  const parsed = adapter.optionsSchema.safeParse({ baseUrl: GRAPH_BASE, clientId: CLIENT_ID, tenant: 'common', ...extra });
  if (!parsed.success) throw new Error(JSON.stringify(parsed.error.issues));
  return parsed.data;
};

async function expectSavedSignIn(dir: string, account = 'default') {
  const file = tokenFilePath(dir, account);
  expect((await stat(file)).mode & 0o777).toBe(0o600);
  expect(JSON.parse(await readFile(file, 'utf8')).RefreshToken).toBeTruthy();
}

describe('device-code flow', () => {
  it('prints the code and URL, saves the refresh token 0600, and the storage then works', async () => {
    const emu = mswEmulator();
    const dir = await mkdtemp(join(tmpdir(), 'od-auth-'));
    const { ctx, logs } = context(dir, emu, 'device-approve');
    await adapter.auth!(options({ authFlow: 'device-code' }), ctx);
    expect(logs[0]).toMatch(new RegExp(`open ${EMULATOR_ORIGIN}/devicelogin and enter the code`));
    expect(logs.at(-1)).toMatch(/Signed in as user@emulator.test/);
    await expectSavedSignIn(dir);
    const storage = await adapter.create(options(), { credentialsDir: dir, log: () => undefined });
    expect(await storage.putIfAbsent('hello', Buffer.from('world'))).toBe('created');
  });

  it('a declined sign-in fails with a message that says so', async () => {
    const emu = mswEmulator();
    const dir = await mkdtemp(join(tmpdir(), 'od-auth-'));
    const e = await adapter.auth!(options({ authFlow: 'device-code' }), context(dir, emu, 'device-decline').ctx).catch((x: unknown) => x);
    expect(isStorageError(e, 'AuthFailed')).toBe(true);
    expect((e as Error).message).toMatch(/declined/);
  });
});

describe('loopback + PKCE flow', () => {
  it('signs in through the browser redirect (msw)', async () => {
    mswEmulator();
    const dir = await mkdtemp(join(tmpdir(), 'od-auth-'));
    await adapter.auth!(options({ account: 'work' }), context(dir, undefined, 'browser').ctx);
    await expectSavedSignIn(dir, 'work');
  });

  it('signs in against the emulator as a plain-http local server (what the CLI would use)', async () => {
    const { server, graphBase } = await localEmulator();
    try {
      const dir = await mkdtemp(join(tmpdir(), 'od-auth-'));
      const { ctx } = context(dir, undefined, 'browser');
      await adapter.auth!(options({ baseUrl: graphBase }), ctx);
      await expectSavedSignIn(dir);
      const storage = await adapter.create(options({ baseUrl: graphBase }), { credentialsDir: dir, log: () => undefined });
      expect(await storage.putIfAbsent('k', Buffer.from('v'))).toBe('created');
    } finally {
      await server.close();
    }
  });

  it('refused consent fails with a message that says what to do', async () => {
    const emu = mswEmulator();
    emu.identity.consent = 'deny';
    const dir = await mkdtemp(join(tmpdir(), 'od-auth-'));
    const e = await adapter.auth!(options(), context(dir, emu, 'browser').ctx).catch((x: unknown) => x);
    expect(isStorageError(e, 'AuthFailed')).toBe(true);
    expect((e as Error).message).toMatch(/consent was refused.*syncacross auth onedrive/s);
  });
});

describe('using a saved sign-in', () => {
  it('refreshes an access token the server stopped accepting, then fails clearly once revoked', async () => {
    const emu = mswEmulator();
    const dir = await mkdtemp(join(tmpdir(), 'od-auth-'));
    await adapter.auth!(options(), context(dir, emu, 'browser').ctx);
    const storage = await createOneDriveStorage(options(), { context: { credentialsDir: dir } });
    await storage.putIfAbsent('a', Buffer.from('1'));
    const refreshes = emu.identity.stats.refreshGrants;
    emu.identity.expireAccessTokens(); // e.g. revoked early, or the clock was off
    expect(Buffer.from(await storage.get('a')).toString()).toBe('1');
    expect(emu.identity.stats.refreshGrants).toBe(refreshes + 1);
    emu.identity.revokeRefreshTokens();
    const e = await storage.get('a').catch((x: unknown) => x);
    expect(isStorageError(e, 'AuthFailed')).toBe(true);
    expect((e as Error).message).toMatch(/revoked or has expired.*syncacross auth onedrive/s);
  });

  it('without a saved sign-in, says to run the auth command', async () => {
    mswEmulator();
    const dir = await mkdtemp(join(tmpdir(), 'od-auth-'));
    const e = await createOneDriveStorage(options(), { context: { credentialsDir: dir } }).catch((x: unknown) => x);
    expect(isStorageError(e, 'AuthFailed')).toBe(true);
    expect((e as Error).message).toMatch(/syncacross auth onedrive/);
  });
});
