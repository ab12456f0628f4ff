/**
 * A download takes from the body what it asked for and no more (src/download.ts, through
 * sync-core's readBodyWithin and readLimit). A real server on loopback stands in front of the
 * emulator: it passes every request on to it, except downloads (`alt=media`), which it answers as
 * a host that ignores the Range, claims a length past it, or sends a body with no end. The checks are
 * sync-core's runHostileDownloadChecks. Before, gaxios gathered such a body whole (`responseType:
 * 'arraybuffer'`), and an error's body whole in any responseType.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forwardTo, runHostileDownloadChecks, serveFetchHandler, startHostileServer, type HostileHandler, type HostileServer, type RunningServer } from '@syncacross/sync-core/testing';
import { createGdriveStorage } from '../src/index.js';
import { createDriveEmulator, type DriveEmulator } from '../src/emulator/index.js';
import { CLIENT_ID } from './support/emulator.js';

let hostile: HostileServer;
let emulator: DriveEmulator;
let emulatorServer: RunningServer;
beforeAll(async () => {
  hostile = await startHostileServer();
  emulator = createDriveEmulator();
  emulatorServer = await serveFetchHandler(emulator.handle);
});
afterAll(async () => {
  await hostile.close();
  await emulatorServer.close();
});

const forward = forwardTo(() => emulatorServer.url);

/** Downloads answered by `download`, everything else by the emulator. */
function downloadsAnsweredBy(download: HostileHandler): void {
  hostile.answering((req, res, answer) => (req.url?.includes('alt=media') ? download(req, res, answer) : forward(req, res, answer)));
}

runHostileDownloadChecks('gdrive', {
  server: () => hostile,
  // Holding `k`, whose bytes are never served: every download goes to the hostile answer.
  storage: async () => {
    const s = await createGdriveStorage({ clientId: CLIENT_ID, refreshToken: emulator.oauth.issueRefreshToken(CLIENT_ID), folderName: 'lib', rootUrl: `${hostile.url}/` });
    await s.putIfAbsent('k', new Uint8Array(10)).catch(() => undefined); // there from an earlier test
    return s;
  },
  answering: downloadsAnsweredBy,
  download: () => hostile.answers.find((a) => a.url.includes('alt=media'))!,
  endlessError: { status: 503, code: 'Unavailable' },
});

describe('a Drive download that fails', () => {
  it('still reads a small error body for its reason: the throttling 403 is RateLimited', async () => {
    const throttled = JSON.stringify({ error: { code: 403, message: 'Rate Limit Exceeded', errors: [{ reason: 'userRateLimitExceeded', message: 'Rate Limit Exceeded' }] } });
    downloadsAnsweredBy((_req, res) => void res.writeHead(403, { 'Content-Type': 'application/json' }).end(throttled));
    const s = await createGdriveStorage({ clientId: CLIENT_ID, refreshToken: emulator.oauth.issueRefreshToken(CLIENT_ID), folderName: 'lib', rootUrl: `${hostile.url}/` });
    await s.putIfAbsent('k', new Uint8Array(10)).catch(() => undefined);
    await expect(s.get('k', { range: { offset: 0, length: 5 } })).rejects.toMatchObject({ code: 'RateLimited' });
    await s.close?.();
  });
});
