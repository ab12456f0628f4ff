/**
 * Drive's answers other than downloads are read by gaxios whole, in every responseType but
 * `stream`: each is now read within a limit (src/answer-limits.ts). A real server on loopback
 * stands in front of the emulator, passing every request on, until a test has it answer some
 * itself with a body that has no end: a `files.list` page, a created file's resource, a throttling
 * error, the token endpoint's answer. Before, each was read for as long as the server sent (512 MiB
 * here).
 */
import type { IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANSWER_BODY_LIMIT } from '@syncacross/sync-core/adapter-kit';
import { forwardTo, serveFetchHandler, startHostileServer, writeEndless, type HostileAnswer, type HostileServer, type RunningServer } from '@syncacross/sync-core/testing';
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
/**
 * What the sockets' buffers may hold besides what the client read: a reader taking 16 MiB at full
 * speed lets Linux grow its receive buffer up to `tcp_rmem`'s maximum (32 MiB on these machines),
 * and the server's send buffer holds up to `tcp_wmem`'s (4 MiB). Seen: 9.3 MB past the 16 MiB read
 * (Node 24, loopback). Far below the 512 MiB the server offers, which the code before read whole.
 */
const SOCKET_SLACK = 40 * 1024 * 1024;

/** A storage through the hostile server, which passes everything on while it is made. */
async function storage() {
  hostile.answering(forward);
  const s = await createGdriveStorage({ clientId: CLIENT_ID, refreshToken: emulator.oauth.issueRefreshToken(CLIENT_ID), folderName: 'lib', rootUrl: `${hostile.url}/` });
  await s.putIfAbsent('small', new Uint8Array(10)).catch(() => undefined); // there from an earlier test
  return s;
}

/** Requests matching `which` answered with a JSON-typed body with no end, with `status` and `headers`; the rest passed on. */
function endlessFor(which: (req: IncomingMessage) => boolean, status: number, headers: Record<string, string> = {}): () => HostileAnswer {
  let endless: HostileAnswer | undefined;
  hostile.answering((req, res, answer) => {
    if (!which(req)) return forward(req, res, answer);
    req.resume();
    endless = answer;
    res.writeHead(status, { 'Content-Type': 'application/json; charset=UTF-8', ...headers }).write('{"files":[');
    writeEndless(res, answer);
  });
  return () => endless!;
}

/** The endless answer was closed by the client after `most` bytes or so. */
async function closedAfter(answer: () => HostileAnswer, most: number): Promise<void> {
  await answer().closed;
  expect(answer().written).toBeLessThan(most + SOCKET_SLACK);
}

const isListing = (req: IncomingMessage) => req.method === 'GET' && req.url!.includes('/drive/v3/files') && !req.url!.includes('alt=media');

describe('gdrive: an answer with no end', () => {
  it('a files.list page: the listing fails as Unavailable after 16 MiB, not a partial listing', async () => {
    const s = await storage();
    const answer = endlessFor(isListing, 200);
    const failed = await s.list('').catch((e: unknown) => e);
    expect(failed).toMatchObject({ name: 'StorageError', code: 'Unavailable' });
    expect(String(failed)).toContain(`larger than ${ANSWER_BODY_LIMIT} bytes`);
    await closedAfter(answer, ANSWER_BODY_LIMIT);
  });

  it('an error: a message is read, the status still speaks (503 with Retry-After: RateLimited)', async () => {
    const s = await storage();
    const answer = endlessFor(isListing, 503, { 'Retry-After': '1' });
    await expect(s.list('')).rejects.toMatchObject({ code: 'RateLimited' });
    await closedAfter(answer, 64 * 1024);
  });

  it("a created file's resource: the put fails as Unavailable", async () => {
    const s = await storage();
    const answer = endlessFor((req) => req.method === 'POST' && req.url!.startsWith('/upload/'), 200);
    await expect(s.putIfAbsent('another', new Uint8Array(10))).rejects.toMatchObject({ code: 'Unavailable' });
    await closedAfter(answer, ANSWER_BODY_LIMIT);
  });

  it('a files.list page cut short: Unavailable, not a partial listing', async () => {
    const s = await storage();
    hostile.answering((req, res, answer) => {
      if (!isListing(req)) return forward(req, res, answer);
      res.writeHead(200, { 'Content-Type': 'application/json; charset=UTF-8', 'Content-Length': '100000' }).write('{"files":[{"id":"a"},', () => res.socket?.destroy());
    });
    await expect(s.list('')).rejects.toMatchObject({ name: 'StorageError', code: 'Unavailable' });
  });

  it("the token endpoint's answer: the first call fails as Unavailable", async () => {
    const answer = endlessFor((req) => req.url === '/token', 200);
    const s = await createGdriveStorage({ clientId: CLIENT_ID, refreshToken: emulator.oauth.issueRefreshToken(CLIENT_ID), folderName: 'lib', rootUrl: `${hostile.url}/` }).catch((e: unknown) => e);
    const failed = s instanceof Error ? s : await (s as Awaited<ReturnType<typeof createGdriveStorage>>).list('').catch((e: unknown) => e);
    expect(failed).toMatchObject({ name: 'StorageError', code: 'Unavailable' });
    await closedAfter(answer, ANSWER_BODY_LIMIT);
  });
});
