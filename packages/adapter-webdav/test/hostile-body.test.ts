/**
 * A read takes from a body what it asked for and no more (src/response-body.ts, src/read.ts):
 * against a real server on loopback that ignores the Range, claims a huge length, sends a body
 * with no end, or codes one, a ranged read gets its bytes and closes the connection, and the
 * server has sent a few MiB at most, not the 512 MiB it offered. Before, the adapter gathered
 * such a body whole, and one with no end took all the memory there was.
 */
import { createGzip } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endlessBytes, expectClosedAfter, startHostileServer, writeEndless, type HostileServer } from '@syncacross/sync-core/testing';
import { createWebDavStorage } from '@syncacross/adapter-webdav';
import { LISTING_ANSWER_LIMIT } from '../src/client.js';

let server: HostileServer;
beforeAll(async () => {
  server = await startHostileServer();
});
afterAll(() => server.close());

const storage = () => createWebDavStorage({ url: `${server.url}/dav`, probe: false, timeoutMs: 20_000 });
const range = { offset: 1000, length: 60_000 };
const expected = endlessBytes(range.offset, range.length);
/** What a read may cost at most: the range, and what the sockets' buffers hold besides. */
const AT_MOST = 16 * 1024 * 1024;

/** Reads the range; the server's `nth` answer (the one a direct read got) wrote little of what it offered. */
async function readsItsRangeOnly(nth = 0): Promise<void> {
  const got = await (await storage()).get('k', { range });
  expect(Buffer.compare(Buffer.from(got), expected)).toBe(0);
  await server.answers[nth]!.closed;
  expect(server.answers[nth]!.written).toBeLessThan(AT_MOST);
}

describe('a ranged read, whatever body the server sends', () => {
  it('takes its range from an answer that ignores the Range and never ends', async () => {
    server.answering((_req, res, answer) => writeEndless(res.writeHead(200), answer)); // chunked, no length
    await readsItsRangeOnly();
  });

  it('takes its range from one that claims 8 GiB, and from a 206 that claims 48 MiB', async () => {
    server.answering((_req, res, answer) => writeEndless(res.writeHead(200, { 'Content-Length': String(8 * 1024 ** 3) }), answer));
    await readsItsRangeOnly();
    const claimed = 48 * 1024 * 1024;
    server.answering((_req, res, answer) =>
      writeEndless(res.writeHead(206, { 'Content-Length': String(claimed), 'Content-Range': `bytes ${range.offset}-${range.offset + claimed - 1}/*` }), answer, range.offset),
    );
    await readsItsRangeOnly();
  });

  it('takes its range from a coded body with no end (decoded through the client)', async () => {
    server.answering((_req, res, answer) => {
      const gzip = createGzip();
      gzip.pipe(res.writeHead(200, { 'Content-Encoding': 'gzip' }));
      res.on('close', () => gzip.destroy());
      writeEndless(gzip, answer);
    });
    await readsItsRangeOnly();
  });

  it('follows a redirect whose own body has no end, and cuts that body off', async () => {
    server.answering((req, res, answer) => {
      if (req.url === '/dav/k') return writeEndless(res.writeHead(302, { Location: '/elsewhere/k' }), answer);
      res.writeHead(206, { 'Content-Length': range.length, 'Content-Range': `bytes ${range.offset}-${range.offset + range.length - 1}/*` }).end(expected);
    });
    await readsItsRangeOnly();
    // Tried directly, then through the client, which followed the redirect.
    expect(server.answers.map((a) => a.url)).toEqual(['/dav/k', '/dav/k', '/elsewhere/k']);
    await server.answers[1]!.closed;
    expect(server.answers[1]!.written).toBeLessThan(AT_MOST);
  });

  it('fails an error answer with no end as the error, having read a little of it', async () => {
    server.answering((_req, res, answer) => writeEndless(res.writeHead(500), answer));
    await expect((await storage()).get('k', { range })).rejects.toMatchObject({ code: 'Unavailable' });
    await server.answers[0]!.closed;
    expect(server.answers[0]!.written).toBeLessThan(AT_MOST);
  });
});

describe('any other answer, whatever body the server sends', () => {
  it("reads a delete's endless body only as far as a message goes, and takes its status", async () => {
    server.answering((_req, res, answer) => writeEndless(res.writeHead(200), answer));
    await (
      await storage()
    ).delete!('k');
    await server.answers[0]!.closed;
    expect(server.answers[0]!.written).toBeLessThan(AT_MOST);
  });

  it('refuses a listing answer with no end, having read one byte past the largest it takes', async () => {
    server.answering((_req, res, answer) => writeEndless(res.writeHead(207, { 'Content-Type': 'application/xml' }), answer));
    await expect((await storage()).list('')).rejects.toMatchObject({ code: 'Unavailable', message: expect.stringContaining(`larger than ${LISTING_ANSWER_LIMIT} bytes`) });
    await expectClosedAfter(server.answers[0]!, LISTING_ANSWER_LIMIT);
  });
});
