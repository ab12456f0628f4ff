/**
 * files/download takes from the body what it asked for and no more (src/bounded-download.ts):
 * the storage's `baseUrl` is a real server on loopback standing in for Dropbox's content host,
 * which ignores the Range, claims a length past it, or sends a body with no end (sync-core's
 * runHostileDownloadChecks). Before, the SDK gathered such a body whole (`res.buffer()`), and a
 * body shorter than its Content-Length made the read wait for good.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectClosedAfter, runHostileDownloadChecks, startHostileServer, writeEndless, type HostileServer } from '@syncacross/sync-core/testing';
import { createDropboxStorage } from '../src/index.js';

let hostile: HostileServer;
beforeAll(async () => {
  hostile = await startHostileServer();
});
afterAll(() => hostile.close());

/** What files/download answers beside the bytes: the file's metadata, in a header. */
const METADATA = JSON.stringify({ '.tag': 'file', name: 'k', id: 'id:k', path_display: '/library/k', size: 10, rev: '0123456789abcdef' });

runHostileDownloadChecks('dropbox', {
  server: () => hostile,
  storage: () => createDropboxStorage({ baseUrl: hostile.url, accessToken: 'hostile-test-token', root: '/library' }),
  headers: { 'Dropbox-Api-Result': METADATA },
  endlessError: { status: 503, code: 'Unavailable' },
});

describe('any other Dropbox answer, whatever body the server sends', () => {
  it('fails a listing cut short before its Content-Length as Unavailable, and does not wait for good', async () => {
    hostile.answering((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': 100_000 });
      res.write('{"entries": [', () => res.socket?.destroy());
    });
    const s = await createDropboxStorage({ baseUrl: hostile.url, accessToken: 'hostile-test-token', root: '/library' });
    await expect(s.list('')).rejects.toMatchObject({ code: 'Unavailable' });
  });

  it('refuses a listing with no end, having read 16 MiB of it', async () => {
    hostile.answering((_req, res, answer) => writeEndless(res.writeHead(200, { 'Content-Type': 'application/json' }), answer));
    const s = await createDropboxStorage({ baseUrl: hostile.url, accessToken: 'hostile-test-token', root: '/library' });
    await expect(s.list('')).rejects.toMatchObject({ code: 'Unavailable', message: expect.stringContaining('larger than 16777216 bytes') });
    await expectClosedAfter(hostile.answers[0]!, 16 * 1024 * 1024);
  });
});
