/**
 * A download takes from the body what it asked for and no more (src/download.ts, through
 * sync-core's readBodyWithin and readLimit). A real server on loopback stands in front of the
 * emulator: it passes every request on to it, except downloads (`alt=media`), which it answers as
 * a host that ignores the Range, claims a length past it, or sends a body with no end. The checks are
 * sync-core's runHostileDownloadChecks. Before, gaxios gathered such a body whole (`responseType:
 * 'arraybuffer'`), and an error's body whole in any responseType.
 */
import { describe, expect, it } from 'vitest';
import { runHostileDownloadChecks, type HostileHandler } from '@syncacross/sync-core/testing';
import { hostileFrontOfEmulator } from './support/hostile-front.js';

const front = hostileFrontOfEmulator();

/** Downloads answered by `download`, everything else by the emulator. */
function downloadsAnsweredBy(download: HostileHandler): void {
  front.hostile.answering((req, res, answer) => (req.url?.includes('alt=media') ? download(req, res, answer) : front.forward(req, res, answer)));
}

runHostileDownloadChecks('gdrive', {
  server: () => front.hostile,
  // Holding `k`, whose bytes are never served: every download goes to the hostile answer.
  storage: async () => {
    const s = await front.storage();
    await s.putIfAbsent('k', new Uint8Array(10)).catch(() => undefined); // there from an earlier test
    return s;
  },
  answering: downloadsAnsweredBy,
  download: () => front.hostile.answers.find((a) => a.url.includes('alt=media'))!,
  endlessError: { status: 503, code: 'Unavailable' },
});

describe('a Drive download that fails', () => {
  it('still reads a small error body for its reason: the throttling 403 is RateLimited', async () => {
    const throttled = JSON.stringify({ error: { code: 403, message: 'Rate Limit Exceeded', errors: [{ reason: 'userRateLimitExceeded', message: 'Rate Limit Exceeded' }] } });
    downloadsAnsweredBy((_req, res) => void res.writeHead(403, { 'Content-Type': 'application/json' }).end(throttled));
    const s = await front.storage();
    await s.putIfAbsent('k', new Uint8Array(10)).catch(() => undefined);
    await expect(s.get('k', { range: { offset: 0, length: 5 } })).rejects.toMatchObject({ code: 'RateLimited' });
    await s.close?.();
  });
});
