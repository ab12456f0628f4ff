/**
 * Real-world mode: SharePoint answers 509 Bandwidth Limit Exceeded when an app or tenant is over
 * its bandwidth. It is a throttle: RateLimited (with retryAfterMs when Retry-After is given),
 * the drive's gate pauses every request, and the engine's back-off carries operations through.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { isStorageError, withRetry } from '@syncacross/sync-core';
import { runStorageConformance } from '@syncacross/sync-core/testing';
import { createOneDriveStorage } from '../src/index.js';
import type { OneDriveEmulatorOptions } from '../src/emulator/index.js';
import { GRAPH_BASE, mswEmulator, stopMsw, TOKEN, unreachable } from './support/emulator.js';
import { twoNodesConverge } from './support/two-nodes.js';

afterAll(() => stopMsw());

let drives = 0;
/** Each setup gets its own drive: throttle gates are per drive and shared process-wide. */
async function site(options: OneDriveEmulatorOptions = {}) {
  const emu = mswEmulator(options);
  const driveId = `b!sharepoint-509-${++drives}`;
  emu.graph.addDrive(driveId, 'documentLibrary');
  const open = () => createOneDriveStorage({ baseUrl: GRAPH_BASE, accessToken: TOKEN, driveId, folder: 'lib' });
  return { emu, open };
}

const STORMS = { bandwidthThrottle: { everyRequests: 150, durationMs: 400 } };

runStorageConformance(
  'SharePoint answering 509 Bandwidth Limit Exceeded every 150 requests, through withRetry',
  async () => {
    const { open } = await site(STORMS);
    return { storage: withRetry(await open(), { baseDelayMs: 1, maxDelayMs: 2000, retries: 30 }), unreachable };
  },
  { largeObjectBytes: 5 * 1024 * 1024 },
);

describe('509 Bandwidth Limit Exceeded', () => {
  it('is RateLimited, with retryAfterMs from Retry-After, or without a delay when the header is missing', async () => {
    const { emu, open } = await site();
    const s = await open();
    emu.throttler.throttleNext(1, { status: 509, retryAfter: 'seconds', durationMs: 2000 });
    const e = await s.get('a').catch((x: unknown) => x);
    expect(isStorageError(e, 'RateLimited')).toBe(true);
    expect((e as { retryAfterMs?: number }).retryAfterMs).toBe(2000);
    await new Promise((r) => setTimeout(r, 2000));
    emu.throttler.throttleNext(1, { status: 509, retryAfter: 'missing' });
    const bare = await s.list('x/').catch((x: unknown) => x);
    expect(isStorageError(bare, 'RateLimited')).toBe(true);
    expect((bare as { retryAfterMs?: number }).retryAfterMs).toBeUndefined();
  });

  it('pauses every request to the drive for the announced Retry-After', async () => {
    const { emu, open } = await site();
    const s = await open();
    await s.putIfAbsent('k', new Uint8Array([1]));
    emu.throttler.throttleNext(1, { status: 509, retryAfter: 'seconds', durationMs: 1000 });
    const t0 = Date.now();
    await s.get('k').catch(() => undefined);
    const [a, b] = await Promise.all([s.get('k'), s.list('')]);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(950);
    expect([...a]).toEqual([1]);
    expect(b.objects.length).toBe(1);
    expect(emu.throttler.stats.earlyRequests).toBe(0);
  });

  it('two engine nodes converge while SharePoint throttles with 509', async () => {
    const { emu, open } = await site({ bandwidthThrottle: { everyRequests: 60, durationMs: 300 } });
    const r = await twoNodesConverge(open);
    expect(r.b).toEqual(r.a);
    for (const text of r.lastEdits) expect(Object.values(r.a)).toContain(text);
    expect(emu.throttler.stats.storms).toBeGreaterThan(0);
  }, 30_000);
});
