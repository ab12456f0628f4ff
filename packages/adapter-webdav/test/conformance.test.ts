/**
 * The storage conformance suite against the two WebDAV servers installed from npm. Debian's
 * servers (Apache, nginx, rclone) run in conformance.interop.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runStorageConformance } from '@syncacross/sync-core/testing';
import { createWebDavStorage } from '@syncacross/adapter-webdav';
import { fixtureFor, freshRoot } from './support/fixture.js';
import { startNephele, startWebdavServer, type RunningDav } from './support/npm-servers.js';

let nephele: RunningDav;
let webdavServer: RunningDav;
beforeAll(async () => {
  [nephele, webdavServer] = await Promise.all([startNephele(), startWebdavServer()]);
});
afterAll(async () => {
  await Promise.all([nephele?.stop(), webdavServer?.stop()]);
});

describe('server profiles measured by the probe', () => {
  it('nephele honors the preconditions but writes PUT bodies in place: compare-and-swap is offered, creates go through MOVE', async () => {
    const s = await createWebDavStorage({ url: nephele.url, root: freshRoot() });
    expect(s.serverProfile).toEqual({ ifNoneMatch: true, moveNoOverwrite: true, strongEtags: true, moveIfMatch: true, atomicPut: false, measured: true });
    expect(s.capabilities).toMatchObject({ atomicCreate: false, compareAndSwap: true });
    expect(typeof s.putIfMatch).toBe('function');
    await s.close!();
  });

  it('webdav-server ignores If-None-Match and If: only create-if-absent through MOVE Overwrite: F', async () => {
    const s = await createWebDavStorage({ url: webdavServer.url, root: freshRoot() });
    expect(s.serverProfile).toMatchObject({ ifNoneMatch: false, moveNoOverwrite: true, moveIfMatch: false, atomicPut: false, measured: true });
    expect(s.capabilities).toMatchObject({ atomicCreate: false, compareAndSwap: false });
    expect(s.putIfMatch).toBeUndefined();
    await s.close!();
  });
});

runStorageConformance(
  'webdav on nephele',
  fixtureFor(() => nephele),
);
runStorageConformance(
  'webdav on webdav-server',
  fixtureFor(() => webdavServer),
);
// The weakest-server path (look before create, no compare-and-swap), as used without a probe.
runStorageConformance(
  'webdav on webdav-server, probe: false',
  fixtureFor(() => webdavServer, { probe: false }),
);
