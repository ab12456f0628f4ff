/**
 * A download takes from the body what it asked for and no more (src/read.ts, through sync-core's
 * readBodyWithin and readLimit): the emulator's `/content` sends the download (302) to a real server
 * on loopback standing in for a download host that ignores the Range, claims a length past it, or
 * sends a body with no end (sync-core's runHostileDownloadChecks). Before, `response.arrayBuffer()`
 * gathered such a body whole, and `response.json()` an error's.
 */
import { afterAll, beforeAll } from 'vitest';
import { runHostileDownloadChecks, startHostileServer, type HostileServer, type RunningServer } from '@syncacross/sync-core/testing';
import { createOneDriveStorage } from '../src/index.js';
import { localEmulator, TOKEN } from './support/emulator.js';

let hostile: HostileServer;
let emulator: RunningServer;
let graphBase: string;
beforeAll(async () => {
  hostile = await startHostileServer();
  const local = await localEmulator({ downloadOrigin: hostile.url });
  emulator = local.server;
  graphBase = local.graphBase;
});
afterAll(async () => {
  await hostile.close();
  await emulator.close();
});

runHostileDownloadChecks('onedrive', {
  server: () => hostile,
  // Holding `k`, whose bytes are never served: every download goes to the hostile server.
  storage: async () => {
    const s = await createOneDriveStorage({ baseUrl: graphBase, accessToken: TOKEN, atomicCreate: 'trust' });
    await s.putIfAbsent('k', new Uint8Array(10));
    return s;
  },
  endlessError: { status: 503, headers: { 'Retry-After': '1' }, code: 'RateLimited' }, // Graph's throttling answer
});
