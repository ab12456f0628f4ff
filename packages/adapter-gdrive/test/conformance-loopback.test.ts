/** The emulator as a real local HTTP server (what `dist/emulator/main.js` runs), with no msw involved. */
import { serveFetchHandler, runStorageConformance, type RunningServer } from '@syncacross/sync-core/testing';
import { createGdriveStorage } from '@syncacross/adapter-gdrive';
import { createDriveEmulator } from '../src/emulator/index.js';
import { CLIENT_ID, unreachableStorage } from './support/emulator.js';

runStorageConformance('gdrive (emulator served on a loopback port)', async () => {
  const emulator = createDriveEmulator();
  const server: RunningServer = await serveFetchHandler(emulator.handle);
  const storage = await createGdriveStorage({ clientId: CLIENT_ID, refreshToken: emulator.oauth.issueRefreshToken(CLIENT_ID), folderName: 'lib', rootUrl: `${server.url}/` });
  return { storage, unreachable: unreachableStorage, teardown: () => server.close() };
});
