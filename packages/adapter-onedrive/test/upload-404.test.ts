/**
 * Real-world mode: a 404 on an upload URL is often transient (rclone's onedrive backend waits and
 * retries the fragment). The emulator answers 404 to the first requests to each upload URL; the
 * adapter asks the session's status again with growing waits and resumes the same session,
 * instead of restarting the whole upload (which, here, would meet the same 404s forever).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { runStorageConformance } from '@syncacross/sync-core/testing';
import { createOneDriveStorage } from '../src/index.js';
import { FRAGMENT_UNIT } from '../src/emulator/index.js';
import { GRAPH_BASE, mswEmulator, stopMsw, TOKEN, unreachable } from './support/emulator.js';
import { twoNodesConverge } from './support/two-nodes.js';

afterAll(() => stopMsw());

const MODE = { transientUploadNotFound: 2 };
const FRAGMENT = 4 * FRAGMENT_UNIT;
const open = (extra: Record<string, unknown> = {}) => createOneDriveStorage({ baseUrl: GRAPH_BASE, accessToken: TOKEN, uploadFragmentSize: FRAGMENT, ...extra });

runStorageConformance(
  'upload URLs answering a transient 404 at first',
  async () => {
    mswEmulator(MODE);
    return { storage: await open(), unreachable };
  },
  { largeObjectBytes: 6 * 1024 * 1024 },
);

describe('a transient 404 on the upload URL', () => {
  it('is waited out: the fragment is sent again in the same session, nothing restarts', async () => {
    const emu = mswEmulator(MODE);
    const s = await open({ atomicCreate: 'trust' });
    const bytes = randomBytes(5 * 1024 * 1024);
    expect(await s.putIfAbsent('big/one', bytes)).toBe('created');
    expect(Buffer.from(await s.get('big/one')).equals(bytes)).toBe(true);
    const log = emu.graph.uploads.fragmentLog;
    expect(new Set(log.map((f) => f.session)).size).toBe(1);
    expect(log.map((f) => f.status)).toEqual([404, 202, 202, 202, 201]);
    expect(emu.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/createUploadSession')).length).toBe(1);
  });

  it('a large compare-and-swap goes through too', async () => {
    mswEmulator(MODE);
    const s = await open({ atomicCreate: 'trust' });
    await s.putIfAbsent('big/cas', Buffer.from('v1'));
    const etag = (await s.list('big/')).objects[0]!.etag!;
    const v2 = randomBytes(5 * 1024 * 1024);
    await s.putIfMatch!('big/cas', v2, etag);
    expect(Buffer.from(await s.get('big/cas')).equals(v2)).toBe(true);
  });

  it('two engine nodes converge with a file large enough for upload sessions', async () => {
    const emu = mswEmulator(MODE);
    const r = await twoNodesConverge(() => open(), { 'large.bin': 'y'.repeat(6 * 1024 * 1024) });
    expect(r.b).toEqual(r.a);
    expect(r.b['large.bin']?.length).toBe(6 * 1024 * 1024);
    for (const text of r.lastEdits) expect(Object.values(r.a)).toContain(text);
    expect(emu.graph.uploads.fragmentLog.some((f) => f.status === 404)).toBe(true);
  }, 30_000);
});
