/**
 * Real-world mode `exactRedirectUris`: Dropbox accepts only a redirect URI registered for the
 * app, matched exactly, port included, so `redirectPort: 0` (any free port) cannot work. The
 * adapter uses a fixed, documented port, and a port Dropbox does not know stops the flow at once
 * with what to register, instead of a browser error page and a 5-minute wait. With the mode on,
 * the conformance suite and a two-node sync run on the authorization that flow stored.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import adapter, { createDropboxStorage, optionsSchema } from '@syncacross/adapter-dropbox';
import type { AuthContext } from '@syncacross/sync-core';
import { closedPort, runStorageConformance, type RunningServer } from '@syncacross/sync-core/testing';
import type { DropboxEmulator } from '../src/emulator/index.js';
import { httpEmulator } from './support/emulator.js';
import { twoNodeSync } from './support/two-nodes.js';

let emulator: DropboxEmulator;
let server: RunningServer;
let credentialsDir: string;
let registeredPort: number;
beforeAll(async () => {
  registeredPort = await closedPort();
  ({ emulator, server } = await httpEmulator({
    exactRedirectUris: true,
    apps: { 'emulator-app': { accessType: 'full', name: 'syncacross', redirectUris: [`http://127.0.0.1:${registeredPort}/`] } },
  }));
  credentialsDir = await mkdtemp(join(tmpdir(), 'syncacross-dropbox-redirect-'));
});
afterAll(async () => {
  await server.close();
  await rm(credentialsDir, { recursive: true, force: true });
});

const options = (extra: Record<string, unknown> = {}) => optionsSchema.parse({ appKey: 'emulator-app', baseUrl: server.url, root: '/library', authFlow: 'loopback', ...extra });
/** A browser that follows the consent page (auto-approved) back to the loopback redirect. */
const browser: AuthContext['openUrl'] = async (url) => {
  const back = (await fetch(url, { redirect: 'manual' })).headers.get('location');
  if (!back) throw new Error(`the consent page did not redirect: ${url}`);
  await fetch(back);
};
const context = (openUrl = browser): AuthContext => ({ credentialsDir, log: () => undefined, openUrl });

describe('the redirect URI', () => {
  it('the emulator, like Dropbox, refuses a loopback redirect on a port that is not registered', async () => {
    const other = await closedPort();
    const r = await fetch(`${server.url}/oauth2/authorize?client_id=emulator-app&response_type=code&redirect_uri=${encodeURIComponent(`http://127.0.0.1:${other}/`)}`);
    expect(r.status).toBe(400);
    expect(await r.text()).toMatch(/must exactly match/);
  });

  it('authorizes through the registered port', async () => {
    await adapter.auth!(options({ redirectPort: registeredPort }), context());
    const storage = await adapter.create(options(), { credentialsDir, log: () => undefined });
    expect(await storage.putIfAbsent('k', new TextEncoder().encode('v'))).toBe('created');
  });

  it('stops at once, naming the URI to register, when the port is not registered', async () => {
    const other = await closedPort();
    let opened = false;
    const e = await adapter.auth!(
      options({ redirectPort: other, profile: 'wrong-port' }),
      context(async () => void (opened = true)),
    ).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'InvalidConfig', message: expect.stringContaining(`register http://127.0.0.1:${other}/ in the Dropbox App Console`) });
    expect(opened).toBe(false);
  });

  it('refuses redirectPort 0 against Dropbox itself before any request', async () => {
    const e = await adapter.auth!(optionsSchema.parse({ appKey: 'k', redirectPort: 0, authFlow: 'loopback' }), context()).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'InvalidConfig', message: expect.stringContaining('register http://127.0.0.1:53682/') });
  });

  it('says so when the registered port is taken', async () => {
    const { createServer } = await import('node:http');
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(registeredPort, '127.0.0.1', resolve));
    try {
      const e = await adapter.auth!(options({ redirectPort: registeredPort, profile: 'busy' }), context()).catch((x: unknown) => x);
      expect(e).toMatchObject({ code: 'InvalidConfig', message: expect.stringContaining(`port ${registeredPort} is in use`) });
    } finally {
      squatter.close();
    }
  });
});

describe('with exact redirect URIs on, on the stored authorization', () => {
  const open = () => adapter.create(options(), { credentialsDir, log: () => undefined });
  runStorageConformance('dropbox (real-world mode: exact redirect URIs, refresh-token authorization)', async () => {
    emulator.home.remove('/library');
    const unreachable = async () => createDropboxStorage({ baseUrl: `http://127.0.0.1:${await closedPort()}`, accessToken: 'x', root: '/library' });
    return { storage: await open(), unreachable };
  });

  it('two nodes sharing the remote converge', async () => {
    emulator.home.remove('/library');
    const { a, b } = await twoNodeSync(() => open());
    expect(b).toEqual(a);
    expect(Object.values(a).sort()).toEqual(['edited on a', 'edited on b', 'from a', 'from b']);
  }, 60_000);
});
