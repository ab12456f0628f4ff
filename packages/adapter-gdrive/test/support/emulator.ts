/**
 * Test plumbing: each test gets its own Drive emulator on its own fake host, reached through
 * msw (googleapis → gaxios → node-fetch → node:http, which msw intercepts).
 */
import { http } from 'msw';
import { setupServer } from 'msw/node';
import { createDriveEmulator, type DriveEmulator, type DriveEmulatorOptions } from '../../src/emulator/index.js';
import { createGdriveStorage, type GdriveOptionsInput } from '@syncacross/adapter-gdrive';
import { EmulatorsByHost } from '@syncacross/sync-core/testing';

export const CLIENT_ID = 'test-client.apps.googleusercontent.com';
export const CLIENT_SECRET = 'test-secret';

const emulators = new EmulatorsByHost<DriveEmulator>('gdrive.test');

export const mswServer = setupServer(http.all(/^https:\/\/[a-z0-9-]+\.gdrive\.test\//, ({ request }) => emulators.handle(request)));

/** A fresh emulator and the rootUrl that reaches it through msw. */
export function newEmulator(options: DriveEmulatorOptions = {}): { emulator: DriveEmulator; rootUrl: string } {
  const emulator = createDriveEmulator(options);
  return { emulator, rootUrl: emulators.add(emulator) };
}

/** Adapter options for an emulator, authorized with a refresh token the emulator issued. */
export function optionsFor(emulator: DriveEmulator, rootUrl: string, extra: Partial<GdriveOptionsInput> = {}): GdriveOptionsInput {
  const base: GdriveOptionsInput = {
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    refreshToken: emulator.oauth.issueRefreshToken(CLIENT_ID),
    rootUrl,
  };
  const where = extra.folderId || extra.appDataFolder ? {} : { folderName: 'syncacross-test' };
  return { ...base, ...where, ...extra };
}

export async function storageOn(emulator: DriveEmulator, rootUrl: string, extra: Partial<GdriveOptionsInput> = {}) {
  return createGdriveStorage(optionsFor(emulator, rootUrl, extra));
}

/** The same adapter pointed at a port where nothing listens. */
export function unreachableStorage() {
  return createGdriveStorage({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, refreshToken: 'x', folderName: 'lib', rootUrl: 'http://127.0.0.1:9/' });
}

/**
 * A clock the test moves by hand, for the emulator's search lag and token expiry: a test says
 * "150 ms later" and it is so, however loaded the machine (no sleep-then-assert).
 */
export function manualClock(start = Date.now()): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}
