/**
 * The storage conformance suite through the official SDK against the emulator behind msw, in
 * each way a library can live on Dropbox: a folder of a full-Dropbox app, an app folder (reached
 * through the SDK's test-domain hosts), and a team space selected with Dropbox-API-Path-Root.
 */
import { afterAll, beforeAll } from 'vitest';
import { createDropboxStorage, type DropboxOptionsInput } from '@syncacross/adapter-dropbox';
import { closedPort, runStorageConformance } from '@syncacross/sync-core/testing';
import { mswEmulator } from './support/emulator.js';

const env = mswEmulator();
beforeAll(() => env.server.listen({ onUnhandledRequest: 'bypass' }));
afterAll(() => env.server.close());

const unreachable = async () => createDropboxStorage({ baseUrl: `http://127.0.0.1:${await closedPort()}`, accessToken: 'no-server-here', root: '/library' });

function mode(name: string, clientId: string, options: DropboxOptionsInput) {
  runStorageConformance(`dropbox (${name})`, async () => {
    const emulator = env.reset();
    const storage = await createDropboxStorage({ ...options, accessToken: emulator.issueAccessToken(clientId) });
    return { storage, unreachable };
  });
}

mode('full Dropbox, folder /library', 'emulator-app', { root: '/library' });
mode('app folder, SDK test domain', 'emulator-app-folder', { domain: 'emulator.test' });
mode('team space via path root', 'emulator-app', { root: '/Team Library', pathRoot: 'root:2002' });
