/**
 * A hostile server on loopback in front of a Drive emulator, for the tests of what the adapter
 * takes from a hostile or broken answer: it passes every request on (`forward`) until a test has
 * it answer some itself. Started before the file's tests, closed after them.
 */
import { afterAll, beforeAll } from 'vitest';
import { forwardTo, serveFetchHandler, startHostileServer, type HostileHandler, type HostileServer, type RunningServer } from '@syncacross/sync-core/testing';
import { createGdriveStorage } from '../../src/index.js';
import { createDriveEmulator, type DriveEmulator } from '../../src/emulator/index.js';
import { CLIENT_ID } from './emulator.js';

export interface HostileFront {
  readonly hostile: HostileServer;
  readonly emulator: DriveEmulator;
  /** Passes a request on to the emulator, and its answer back. */
  readonly forward: HostileHandler;
  /** A new storage on the emulator, through the hostile server (which answers as it was told). */
  storage(): ReturnType<typeof createGdriveStorage>;
}

export function hostileFrontOfEmulator(): HostileFront {
  let hostile: HostileServer;
  let emulator: DriveEmulator;
  let server: RunningServer;
  beforeAll(async () => {
    hostile = await startHostileServer();
    emulator = createDriveEmulator();
    server = await serveFetchHandler(emulator.handle);
  });
  afterAll(async () => {
    await hostile.close();
    await server.close();
  });
  return {
    get hostile() {
      return hostile;
    },
    get emulator() {
      return emulator;
    },
    forward: forwardTo(() => server.url),
    storage: () => createGdriveStorage({ clientId: CLIENT_ID, refreshToken: emulator.oauth.issueRefreshToken(CLIENT_ID), folderName: 'lib', rootUrl: `${hostile.url}/` }),
  };
}
