/**
 * Graph's answers other than downloads are read by the SDK whole (`response.json()`), and upload
 * sessions' by the adapter: each is now read within a limit (src/answer-limits.ts). A real server
 * on loopback stands in front of the emulator, passing every request on, until a test has it
 * answer some itself with a body that has no end: a listing page, an item after an upload, an
 * upload session's progress, a throttling error. Before, each of them was read for as long as the
 * server sent (512 MiB here, then a failed parse), or for good.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { IncomingMessage } from 'node:http';
import { ANSWER_BODY_LIMIT } from '@syncacross/sync-core/adapter-kit';
import { answerEndlessly, expectClosedAfter, forwardTo, startHostileServer, type EndlessAnswer, type HostileHandler, type HostileServer, type RunningServer } from '@syncacross/sync-core/testing';
import type { Storage } from '@syncacross/sync-core';
import { createOneDriveStorage } from '../src/index.js';
import { localEmulator, TOKEN } from './support/emulator.js';

let hostile: HostileServer;
let emulator: RunningServer;
beforeAll(async () => {
  hostile = await startHostileServer();
  emulator = (await localEmulator()).server;
});
afterAll(async () => {
  await hostile.close();
  await emulator.close();
});

const forward = forwardTo(() => emulator.url);
let storage: Storage;
beforeEach(async () => {
  hostile.answering(forward);
  storage = await createOneDriveStorage({ baseUrl: `${hostile.url}/v1.0`, accessToken: TOKEN, atomicCreate: 'trust', simpleUploadLimit: 1024 });
  await storage.putIfAbsent('small', new Uint8Array(10));
});

/** Requests `which` picks answered with a JSON page's start and no end; the rest passed on. */
const endlessFor = (which: (req: IncomingMessage) => boolean, status: number, headers?: EndlessAnswer['headers']) => answerEndlessly(hostile, which, forward, { status, headers, start: '{"value":[' });

describe('onedrive: an answer with no end', () => {
  it('a listing page: the listing fails as Unavailable after 16 MiB, not a partial listing', async () => {
    const answer = endlessFor((req) => req.method === 'GET' && !req.url!.includes('/content'), 200);
    const failed = await storage.list('').catch((e: unknown) => e);
    expect(failed).toMatchObject({ name: 'StorageError', code: 'Unavailable' });
    expect(String(failed)).toContain(`larger than ${ANSWER_BODY_LIMIT} bytes`);
    await expectClosedAfter(answer(), ANSWER_BODY_LIMIT);
  });

  it('an error: a message is read, the status still speaks (503 with Retry-After: RateLimited)', async () => {
    const answer = endlessFor((req) => req.method === 'GET' && !req.url!.includes('/content'), 503, { 'Retry-After': '1' });
    await expect(storage.list('')).rejects.toMatchObject({ code: 'RateLimited' });
    await expectClosedAfter(answer(), 64 * 1024);
  });

  it("a small upload's item: the put fails as Unavailable", async () => {
    const answer = endlessFor((req) => req.method === 'PUT', 201);
    await expect(storage.putIfAbsent('another', new Uint8Array(10))).rejects.toMatchObject({ code: 'Unavailable' });
    await expectClosedAfter(answer(), ANSWER_BODY_LIMIT);
  });

  it("an upload session's progress, on the upload URL (no SDK): the put fails as Unavailable", async () => {
    // The session is the hostile server's own: its upload URL is answered with a 202 whose body has no end.
    const session: HostileHandler = (req, res, answer) =>
      req.url!.includes('createUploadSession')
        ? void res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ uploadUrl: `${hostile.url}/upload/1` }))
        : forward(req, res, answer);
    const answer = answerEndlessly(hostile, (req) => req.url!.startsWith('/upload/'), session, { status: 202, start: '{"nextExpectedRanges":["' });
    await expect(storage.putIfAbsent('large', new Uint8Array(5000))).rejects.toMatchObject({ code: 'Unavailable' });
    await expectClosedAfter(answer(), ANSWER_BODY_LIMIT);
  });

  it('a listing page cut short: Unavailable, not a partial listing', async () => {
    hostile.answering((req, res, answer) => {
      if (req.method !== 'GET' || req.url!.includes('/content')) return forward(req, res, answer);
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '100000' }).write('{"value":[{"name":"a"},', () => res.socket?.destroy());
    });
    await expect(storage.list('')).rejects.toMatchObject({ name: 'StorageError', code: 'Unavailable' });
  });

  it("an upload session's answer cut short: Unavailable, not a TypeError", async () => {
    hostile.answering((req, res, answer) => {
      if (req.url!.includes('createUploadSession')) return void res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ uploadUrl: `${hostile.url}/upload/2` }));
      if (!req.url!.startsWith('/upload/')) return forward(req, res, answer);
      req.resume();
      res.writeHead(202, { 'Content-Type': 'application/json', 'Content-Length': '1000' }).write('{"nextExpected', () => res.socket?.destroy());
    });
    await expect(storage.putIfAbsent('large', new Uint8Array(5000))).rejects.toMatchObject({ name: 'StorageError', code: 'Unavailable' });
  });
});
