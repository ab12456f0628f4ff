/**
 * Large objects go through upload sessions: 320 KiB-multiple fragments in order, no
 * Authorization on the upload URL (the emulator answers 401 if one is sent), conflictBehavior
 * fail in the session body, and an interrupted upload resumed from nextExpectedRanges or
 * restarted when the session is lost.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { isStorageError } from '@syncacross/sync-core';
import { createOneDriveStorage } from '../src/index.js';
import { FOLDER_NAMING_MARKER } from '../src/folder-naming.js';
import { FRAGMENT_UNIT } from '../src/emulator/index.js';
import { GRAPH_BASE, mswEmulator, stopMsw, TOKEN } from './support/emulator.js';

afterAll(() => stopMsw());

const FRAGMENT = 4 * FRAGMENT_UNIT; // 1.25 MiB: several fragments for a 6 MiB object
const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

async function setup() {
  const emu = mswEmulator();
  const storage = await createOneDriveStorage({ baseUrl: GRAPH_BASE, accessToken: TOKEN, atomicCreate: 'trust', uploadFragmentSize: FRAGMENT });
  return { emu, storage, log: emu.graph.uploads.fragmentLog };
}

describe('upload sessions', () => {
  it('uploads above 4 MiB in ordered 320 KiB-multiple fragments, never a simple PUT', async () => {
    const { emu, storage, log } = await setup();
    const bytes = randomBytes(6 * 1024 * 1024 + 123);
    expect(await storage.putIfAbsent('big/one', bytes)).toBe('created');
    expect(same(await storage.get('big/one'), bytes)).toBe(true);
    expect(log.length).toBe(5);
    log.forEach((f, i) => {
      expect(f.start).toBe(i * FRAGMENT);
      if (i < log.length - 1) expect((f.end - f.start + 1) % FRAGMENT_UNIT).toBe(0);
    });
    // (The one simple PUT a new repository makes is its folder-naming marker, folder-naming.ts.)
    expect(emu.requests.filter((r) => r.method === 'PUT' && r.path.endsWith(':/content') && !r.path.includes(FOLDER_NAMING_MARKER))).toEqual([]);
  });

  it('a fragment that failed after the server kept its bytes is resumed from nextExpectedRanges', async () => {
    const { emu, storage, log } = await setup();
    emu.graph.uploads.injectFragmentFaults('accept-then-500');
    const bytes = randomBytes(5 * 1024 * 1024);
    expect(await storage.putIfAbsent('big/resumed', bytes)).toBe('created');
    expect(same(await storage.get('big/resumed'), bytes)).toBe(true);
    expect(new Set(log.map((f) => f.session)).size).toBe(1); // same session throughout
    expect(log.map((f) => f.start)).toEqual([0, FRAGMENT, 2 * FRAGMENT, 3 * FRAGMENT]); // fragment 0 not re-sent
    expect(emu.requests.some((r) => r.method === 'GET' && r.path.startsWith('/_upload/'))).toBe(true);
  });

  it('a fragment the server rejected is sent again', async () => {
    const { emu, storage, log } = await setup();
    const bytes = randomBytes(5 * 1024 * 1024);
    emu.graph.uploads.injectFragmentFaults('reject-500');
    expect(await storage.putIfAbsent('big/rejected', bytes)).toBe('created');
    expect(log.map((f) => [f.start, f.status])).toEqual([
      [0, 500],
      [0, 202],
      [FRAGMENT, 202],
      [2 * FRAGMENT, 202],
      [3 * FRAGMENT, 201],
    ]);
    expect(same(await storage.get('big/rejected'), bytes)).toBe(true);
  });

  it('a lost session is restarted from byte 0 in a new session', async () => {
    const { emu, storage, log } = await setup();
    const bytes = randomBytes(5 * 1024 * 1024);
    // Fragment 0 lands but its answer is lost; then the session itself disappears.
    emu.graph.uploads.injectFragmentFaults('accept-then-500', 'drop-session');
    expect(await storage.putIfAbsent('big/restarted', bytes)).toBe('created');
    expect(new Set(log.map((f) => f.session)).size).toBe(2);
    expect(same(await storage.get('big/restarted'), bytes)).toBe(true);
  });

  it('nothing is visible until the last fragment lands', async () => {
    const { emu, storage } = await setup();
    emu.graph.uploads.injectFragmentFaults('reject-500', 'reject-500', 'reject-500', 'reject-500', 'reject-500', 'reject-500');
    const e = await storage.putIfAbsent('big/failed', randomBytes(5 * 1024 * 1024)).catch((x: unknown) => x);
    expect(isStorageError(e, 'Unavailable')).toBe(true);
    expect((await storage.list('big/')).objects).toEqual([]);
    expect(emu.graph.uploads.sessions.size).toBe(0); // the abandoned session was cancelled
  });

  it('conflictBehavior=fail in the session body: an existing name answers exists, at creation or at commit', async () => {
    const { emu, storage } = await setup();
    const first = randomBytes(5 * 1024 * 1024);
    expect(await storage.putIfAbsent('big/race', first)).toBe('created');
    expect(await storage.putIfAbsent('big/race', randomBytes(5 * 1024 * 1024))).toBe('exists');
    // A racer creates the name while our fragments are in flight: the commit answers 409.
    const racer = await createOneDriveStorage({ baseUrl: GRAPH_BASE, accessToken: TOKEN, atomicCreate: 'trust' });
    emu.graph.uploads.injectFragmentFaults('accept-then-500');
    const slow = storage.putIfAbsent('big/late', randomBytes(5 * 1024 * 1024));
    await racer.putIfAbsent('big/late', Buffer.from('winner'));
    expect(await slow).toBe('exists');
    expect(Buffer.from(await storage.get('big/late')).toString()).toBe('winner');
  });

  it('a large putIfMatch sends If-Match with the session: stale etags fail', async () => {
    const { storage } = await setup();
    await storage.putIfAbsent('big/cas', Buffer.from('v1'));
    const etag = (await storage.list('big/')).objects[0]!.etag!;
    const v2 = randomBytes(5 * 1024 * 1024);
    const r = await storage.putIfMatch!('big/cas', v2, etag);
    expect(r.etag).not.toBe(etag);
    expect(same(await storage.get('big/cas'), v2)).toBe(true);
    const e = await storage.putIfMatch!('big/cas', randomBytes(5 * 1024 * 1024), etag).catch((x: unknown) => x);
    expect(isStorageError(e, 'PreconditionFailed')).toBe(true);
  });
});
