/**
 * A GetObject takes from the body what it asked for and no more (src/object-io.ts, through
 * sync-core's readBodyWithin): against a real server on loopback standing in for an S3-compatible
 * store that ignores the Range, claims a length past it, or sends a body with no end, a ranged
 * read gets its bytes and closes the connection, and the server has sent a few MiB at most of
 * the 512 MiB it offered. Before, the SDK's `transformToByteArray` gathered such a body whole.
 * A body shorter than its Content-Length is still a torn read (field lesson 11).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endlessBytes, startHostileServer, writeEndless, type HostileServer } from '@syncacross/sync-core/testing';
import { createS3Storage } from '../src/index.js';
import { adapterOptions } from './support/emulator.js';

let server: HostileServer;
beforeAll(async () => {
  server = await startHostileServer();
});
afterAll(() => server.close());

const storage = () => createS3Storage(adapterOptions(server.url, { provider: 'other', conditionalWrites: 'off', maxAttempts: 1 }));
const range = { offset: 1000, length: 60_000 };
const expected = endlessBytes(range.offset, range.length);
/** What a read may cost at most: the range, and what the sockets' buffers hold besides. */
const AT_MOST = 16 * 1024 * 1024;
const headers = (extra: Record<string, string | number>) => ({ 'Content-Type': 'application/octet-stream', ETag: '"e"', ...extra });

async function readsItsRangeOnly(): Promise<void> {
  const s = await storage();
  const got = await s.get('k', { range });
  expect(Buffer.compare(Buffer.from(got), expected)).toBe(0);
  await server.answers[0]!.closed;
  expect(server.answers[0]!.written).toBeLessThan(AT_MOST);
  await s.close?.();
}

describe('a ranged GetObject, whatever body the store sends', () => {
  it('takes its range from an answer that ignores the Range and never ends', async () => {
    server.answering((_req, res, answer) => writeEndless(res.writeHead(200, headers({})), answer)); // chunked, no length
    await readsItsRangeOnly();
  });

  it('takes its range from one that claims 8 GiB, and from a 206 that claims 48 MiB', async () => {
    server.answering((_req, res, answer) => writeEndless(res.writeHead(200, headers({ 'Content-Length': 8 * 1024 ** 3 })), answer));
    await readsItsRangeOnly();
    const claimed = 48 * 1024 * 1024;
    server.answering((_req, res, answer) =>
      writeEndless(res.writeHead(206, headers({ 'Content-Length': claimed, 'Content-Range': `bytes ${range.offset}-${range.offset + claimed - 1}/*` })), answer, range.offset),
    );
    await readsItsRangeOnly();
  });

  it('fails a body shorter than its Content-Length as Unavailable, not a short object', async () => {
    server.answering((_req, res) => {
      res.writeHead(200, headers({ 'Content-Length': 100_000 }));
      res.write(endlessBytes(0, 50_000), () => res.socket?.destroy());
    });
    const s = await storage();
    await expect(s.get('k')).rejects.toMatchObject({ code: 'Unavailable' });
    await s.close?.();
  });
});
