/** Objects above 5 MB go through Drive's resumable protocol, which survives a dropped chunk. */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mswServer, newEmulator, storageOn } from './support/emulator.js';

beforeAll(() => mswServer.listen({ onUnhandledRequest: 'bypass' }));
afterAll(() => mswServer.close());

describe('gdrive resumable uploads', () => {
  it('uploads above the threshold in 256 KiB-multiple chunks and resumes after a dropped connection', async () => {
    const { emulator, rootUrl } = newEmulator();
    const s = await storageOn(emulator, rootUrl, { chunkBytes: 1024 * 1024 });
    const bytes = randomBytes(5 * 1024 * 1024 + 12_345);
    emulator.uploads.failNextChunkAfterBytes = 300_000; // the first chunk keeps 300,000 bytes, then 503
    expect(await s.putIfAbsent('packs/w/big', bytes)).toBe('created');
    expect(Buffer.from(await s.get('packs/w/big')).equals(bytes)).toBe(true);
    expect(emulator.stats.requests.upload).toBe(1); // one session
    // The cut chunk kept one 256 KiB block; then a status query and 5 chunks of 1 MiB from there.
    expect(emulator.stats.requests.chunk).toBe(7);
    expect(emulator.uploads.openSessions).toBe(0);
  });

  it('uses one multipart request at or below the threshold', async () => {
    const { emulator, rootUrl } = newEmulator();
    const s = await storageOn(emulator, rootUrl);
    emulator.resetStats();
    await s.putIfAbsent('packs/w/small', randomBytes(5 * 1024 * 1024));
    expect([emulator.stats.requests.upload, emulator.stats.requests.chunk]).toEqual([1, 0]);
  });
});
