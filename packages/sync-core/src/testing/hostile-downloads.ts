/**
 * The checks every HTTP adapter's reads must pass against a hostile or broken download host (a
 * `startHostileServer` standing in for it): a ranged read of an answer that ignores the Range and
 * never ends, claims 8 GiB, or is a 206 claiming 48 MiB gets its bytes, and the server has sent a
 * few MiB at most of the 512 MiB it offered (the connection was closed); a body shorter than its
 * Content-Length is `Unavailable`, never a short object (field lesson 11); an error whose body has
 * no end is read only as far as a message goes, and still mapped. Run from an adapter's test file,
 * as `runStorageConformance` is.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Storage } from '../storage/contract.js';
import { endlessBytes, GIVES_UP, writeEndless, type HostileAnswer, type HostileHandler, type HostileServer } from './doubles/endless-body.js';

/** What `runHostileDownloadChecks` needs of an adapter's test file. */
export interface HostileDownloadSetup {
  /** The server downloads go to (started by the test file). */
  server: () => HostileServer;
  /** A storage whose `get('k')` downloads from that server. */
  storage: () => Promise<Storage>;
  /** Has downloads answered by `handler` (default: every request the server gets). */
  answering?: (handler: HostileHandler) => void;
  /** The download's answer among the server's (default: its first). */
  download?: () => HostileAnswer;
  /** Headers the service's downloads carry besides the bytes (Dropbox's metadata header). */
  headers?: Record<string, string | number>;
  /** An error answer whose body has no end, checked to be read only as far as a message goes. */
  endlessError?: EndlessError;
}

/** An error answer with a body that has no end (`HostileDownloadSetup.endlessError`). */
export interface EndlessError {
  /** Its HTTP status. */
  status: number;
  /** Headers it carries besides a content type (Retry-After, say). */
  headers?: Record<string, string>;
  /** The StorageError code the adapter maps it to. */
  code: string;
}

const MIB = 1024 * 1024;

/** The range read, a little past the object's start, so that a 200 from its start is told apart. */
const RANGE = { offset: 1000, length: 60_000 };
/** What a read may cost at most: the range, and what the sockets' buffers hold besides. */
const AT_MOST = 16 * 1024 * 1024;

/**
 * What the sockets' buffers may hold besides what a client read: a reader taking megabytes at full
 * speed lets Linux grow its receive buffer up to `tcp_rmem`'s maximum (32 MiB on these machines),
 * and the server's send buffer holds up to `tcp_wmem`'s (4 MiB). Seen: 25.3 MB written against a
 * 16 MiB read (Node 24, loopback). Read from the machine where it says (a host tuned for fast
 * networks may allow 64 MiB or more), never below 40 MiB, and at most half the 512 MiB (GIVES_UP)
 * an endless answer offers, so that a client reading it all still fails the check.
 */
export const SOCKET_SLACK = Math.min(GIVES_UP / 2, Math.max(40 * MIB, socketBufferMaxima() + 4 * MIB));

/** The largest receive and send buffers Linux lets a TCP socket grow to, together (0 elsewhere). */
function socketBufferMaxima(): number {
  const maximum = (file: string) => Number(readFileSync(file, 'utf8').trim().split(/\s+/)[2]) || 0;
  try {
    return maximum('/proc/sys/net/ipv4/tcp_rmem') + maximum('/proc/sys/net/ipv4/tcp_wmem');
  } catch {
    return 0;
  }
}

/** Waits until the client closed `answer`, and checks it had taken about `most` bytes, not all there were. */
export async function expectClosedAfter(answer: HostileAnswer, most: number): Promise<void> {
  await answer.closed;
  expect(answer.written).toBeLessThan(most + SOCKET_SLACK);
}

/** Registers the checks (above) as vitest tests named after `name`. */
export function runHostileDownloadChecks(name: string, setup: HostileDownloadSetup): void {
  const answering = (handler: HostileHandler) => (setup.answering ?? ((h) => setup.server().answering(h)))(handler);
  const download = () => (setup.download ?? (() => setup.server().answers[0]!))();
  const headers = (extra: Record<string, string | number> = {}) => ({ 'Content-Type': 'application/octet-stream', ...setup.headers, ...extra });

  /** Reads the range; the download's answer was closed after little of what it offered. */
  async function readsItsRangeOnly(): Promise<void> {
    const storage = await setup.storage();
    const got = await storage.get('k', { range: RANGE });
    expect(Buffer.compare(Buffer.from(got), endlessBytes(RANGE.offset, RANGE.length))).toBe(0);
    await download().closed;
    expect(download().written).toBeLessThan(AT_MOST);
    await storage.close?.();
  }

  describe(`${name}: a download, whatever body the server sends`, () => {
    it('takes its range from an answer that ignores the Range and never ends', async () => {
      answering((_req, res, answer) => writeEndless(res.writeHead(200, headers()), answer)); // chunked, no length
      await readsItsRangeOnly();
    });

    it('takes its range from one that claims 8 GiB, and from a 206 that claims 48 MiB', async () => {
      answering((_req, res, answer) => writeEndless(res.writeHead(200, headers({ 'Content-Length': 8 * 1024 ** 3 })), answer));
      await readsItsRangeOnly();
      const claimed = 48 * 1024 * 1024;
      const partial = headers({ 'Content-Length': claimed, 'Content-Range': `bytes ${RANGE.offset}-${RANGE.offset + claimed - 1}/*` });
      answering((_req, res, answer) => writeEndless(res.writeHead(206, partial), answer, RANGE.offset));
      await readsItsRangeOnly();
    });

    it('fails a body shorter than its Content-Length as Unavailable, not a short object', async () => {
      answering((_req, res) => {
        res.writeHead(200, headers({ 'Content-Length': 100_000 }));
        res.write(endlessBytes(0, 50_000), () => res.socket?.destroy());
      });
      const storage = await setup.storage();
      await expect(storage.get('k')).rejects.toMatchObject({ code: 'Unavailable' });
      await storage.close?.();
    });

    const error = setup.endlessError;
    if (!error) return;
    it("reads an error's endless body only as far as a message goes", async () => {
      answering((_req, res, answer) => writeEndless(res.writeHead(error.status, { 'Content-Type': 'text/plain', ...error.headers }), answer));
      const storage = await setup.storage();
      await expect(storage.get('k', { range: RANGE })).rejects.toMatchObject({ code: error.code });
      await download().closed;
      expect(download().written).toBeLessThan(AT_MOST);
      await storage.close?.();
    });
  });
}
