/**
 * A read takes from a body what it asked for and no more (src/response-body.ts, src/read.ts):
 * against a real server on loopback that ignores the Range, claims a huge length, sends a body
 * with no end, or codes one, a ranged read gets its bytes and closes the connection, and the
 * server has sent a few MiB at most, not the gigabytes it offered. Before, the adapter gathered
 * such a body whole, and one with no end took all the memory there was.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGzip } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebDavStorage } from '@syncacross/adapter-webdav';

/**
 * The object's byte at any offset, however far the server goes: a hash of the offset (murmur3's
 * finalizer), so that gzip cannot shrink it and the bytes on the wire are the bytes offered.
 */
function byteAt(i: number): number {
  let h = Math.imul(i ^ (i >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) & 0xff;
}
const PIECE = 64 * 1024;
function pieceFrom(offset: number): Buffer {
  const piece = Buffer.allocUnsafe(PIECE);
  for (let i = 0; i < PIECE; i++) piece[i] = byteAt(offset + i);
  return piece;
}
/** Where the server stops on its own: far past anything a read should take. */
const SERVER_GIVES_UP = 512 * 1024 * 1024;

/** An answer the server gave: the bytes it wrote, and when its response closed. */
interface Answer {
  url: string;
  written: number;
  closed: Promise<void>;
}
let handle: (req: IncomingMessage, res: ServerResponse, answer: Answer) => void;
let answers: Answer[] = [];
let server: Server;
let base: string;

/** Writes the object from `from` on, with backpressure, until the client goes or SERVER_GIVES_UP. */
function endless(res: NodeJS.WritableStream & { destroyed?: boolean }, answer: Answer, from = 0): void {
  let offset = from;
  const more = () => {
    while (!res.destroyed && answer.written < SERVER_GIVES_UP) {
      const piece = pieceFrom(offset);
      offset += PIECE;
      answer.written += PIECE;
      if (!res.write(piece)) return void res.once('drain', more);
    }
    if (!res.destroyed) res.end();
  };
  more();
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const answer: Answer = { url: req.url!, written: 0, closed: new Promise((r) => res.on('close', r)) };
    answers.push(answer);
    res.on('error', () => undefined);
    handle(req, res, answer);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const storage = () => createWebDavStorage({ url: `${base}/dav`, probe: false, timeoutMs: 20_000 });
const range = { offset: 1000, length: 60_000 };
const expected = pieceFrom(range.offset).subarray(0, range.length);
/** What a read may cost at most: the range, and what the sockets' buffers hold besides. */
const AT_MOST = 16 * 1024 * 1024;

async function readsItsRangeOnly(): Promise<void> {
  answers = [];
  const got = await (await storage()).get('k', { range });
  expect(Buffer.compare(Buffer.from(got), expected)).toBe(0);
  await answers[0]!.closed;
  expect(answers[0]!.written).toBeLessThan(AT_MOST);
}

describe('a ranged read, whatever body the server sends', () => {
  it('takes its range from an answer that ignores the Range and never ends', async () => {
    handle = (_req, res, answer) => endless(res.writeHead(200), answer); // chunked, no length
    await readsItsRangeOnly();
  });

  it('takes its range from one that claims more than a pack, and from a 206 that claims 48 MiB', async () => {
    handle = (_req, res, answer) => endless(res.writeHead(200, { 'Content-Length': String(8 * 1024 * 1024 * 1024) }), answer);
    await readsItsRangeOnly();
    // Under the length allocated up front: only the range is allocated and read.
    handle = (_req, res, answer) =>
      endless(res.writeHead(206, { 'Content-Length': String(48 * 1024 * 1024), 'Content-Range': `bytes ${range.offset}-${range.offset + 48 * 1024 * 1024 - 1}/*` }), answer, range.offset);
    await readsItsRangeOnly();
  });

  it('takes its range from a coded body with no end (decoded through the client)', async () => {
    handle = (_req, res, answer) => {
      const gzip = createGzip();
      gzip.pipe(res.writeHead(200, { 'Content-Encoding': 'gzip' }));
      res.on('close', () => gzip.destroy());
      endless(gzip, answer);
    };
    await readsItsRangeOnly();
  });

  it('follows a redirect whose own body has no end, and cuts that body off', async () => {
    handle = (req, res, answer) => {
      if (req.url === '/dav/k') return endless(res.writeHead(302, { Location: '/elsewhere/k' }), answer);
      res.writeHead(206, { 'Content-Length': range.length, 'Content-Range': `bytes ${range.offset}-${range.offset + range.length - 1}/*` }).end(expected);
    };
    await readsItsRangeOnly();
    // Tried directly, then through the client, which followed the redirect.
    expect(answers.map((a) => a.url)).toEqual(['/dav/k', '/dav/k', '/elsewhere/k']);
    await answers[1]!.closed;
    expect(answers[1]!.written).toBeLessThan(AT_MOST);
  });

  it('fails an error answer with no end as the error, having read a little of it', async () => {
    handle = (_req, res, answer) => endless(res.writeHead(500), answer);
    answers = [];
    await expect((await storage()).get('k', { range })).rejects.toMatchObject({ code: 'Unavailable' });
    await answers[0]!.closed;
    expect(answers[0]!.written).toBeLessThan(AT_MOST);
  });
});
