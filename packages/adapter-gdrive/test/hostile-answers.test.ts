/**
 * Drive's answers other than downloads are read by gaxios whole, in every responseType but
 * `stream`: each is now read within a limit (src/answer-limits.ts). A real server on loopback
 * stands in front of the emulator, passing every request on, until a test has it answer some
 * itself with a body that has no end: a `files.list` page, a created file's resource, a throttling
 * error, the token endpoint's answer. Before, each was read for as long as the server sent (512 MiB
 * here).
 */
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { ANSWER_BODY_LIMIT } from '@syncacross/sync-core/adapter-kit';
import { answerEndlessly, expectClosedAfter, type EndlessAnswer } from '@syncacross/sync-core/testing';
import { hostileFrontOfEmulator } from './support/hostile-front.js';

const front = hostileFrontOfEmulator();

/** A storage through the hostile server, which passes everything on while it is made. */
async function storage() {
  front.hostile.answering(front.forward);
  const s = await front.storage();
  await s.putIfAbsent('small', new Uint8Array(10)).catch(() => undefined); // there from an earlier test
  return s;
}

/** Requests `which` picks answered with a JSON page's start and no end; the rest passed on. */
const endlessFor = (which: (req: IncomingMessage) => boolean, status: number, headers?: EndlessAnswer['headers']) =>
  answerEndlessly(front.hostile, which, front.forward, { status, headers, start: '{"files":[' });

const isListing = (req: IncomingMessage) => req.method === 'GET' && req.url!.includes('/drive/v3/files') && !req.url!.includes('alt=media');

describe('gdrive: an answer with no end', () => {
  it('a files.list page: the listing fails as Unavailable after 16 MiB, not a partial listing', async () => {
    const s = await storage();
    const answer = endlessFor(isListing, 200);
    const failed = await s.list('').catch((e: unknown) => e);
    expect(failed).toMatchObject({ name: 'StorageError', code: 'Unavailable' });
    expect(String(failed)).toContain(`larger than ${ANSWER_BODY_LIMIT} bytes`);
    await expectClosedAfter(answer(), ANSWER_BODY_LIMIT);
  });

  it('an error: a message is read, the status still speaks (503 with Retry-After: RateLimited)', async () => {
    const s = await storage();
    const answer = endlessFor(isListing, 503, { 'Retry-After': '1' });
    await expect(s.list('')).rejects.toMatchObject({ code: 'RateLimited' });
    await expectClosedAfter(answer(), 64 * 1024);
  });

  it("a created file's resource: the put fails as Unavailable", async () => {
    const s = await storage();
    const answer = endlessFor((req) => req.method === 'POST' && req.url!.startsWith('/upload/'), 200);
    await expect(s.putIfAbsent('another', new Uint8Array(10))).rejects.toMatchObject({ code: 'Unavailable' });
    await expectClosedAfter(answer(), ANSWER_BODY_LIMIT);
  });

  it('a files.list page cut short: Unavailable, not a partial listing', async () => {
    const s = await storage();
    front.hostile.answering((req, res, answer) => {
      if (!isListing(req)) return front.forward(req, res, answer);
      res.writeHead(200, { 'Content-Type': 'application/json; charset=UTF-8', 'Content-Length': '100000' }).write('{"files":[{"id":"a"},', () => res.socket?.destroy());
    });
    await expect(s.list('')).rejects.toMatchObject({ name: 'StorageError', code: 'Unavailable' });
  });

  it("the token endpoint's answer: the first call fails as Unavailable", async () => {
    const answer = endlessFor((req) => req.url === '/token', 200);
    const s = await front.storage().catch((e: unknown) => e);
    const failed = s instanceof Error ? s : await (s as Awaited<ReturnType<typeof front.storage>>).list('').catch((e: unknown) => e);
    expect(failed).toMatchObject({ name: 'StorageError', code: 'Unavailable' });
    await expectClosedAfter(answer(), ANSWER_BODY_LIMIT);
  });
});
