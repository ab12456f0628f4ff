/**
 * The storage conformance suite against WebDAV servers from Debian (run by `npm run test:interop`
 * after `.ci/run` installs apache2 apache2-utils nginx libnginx-mod-http-dav-ext rclone).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runStorageConformance } from '@syncacross/sync-core/testing';
import { createWebDavStorage } from '@syncacross/adapter-webdav';
import { fixtureFor, freshRoot } from './support/fixture.js';
import { haveApache, haveNginx, haveRclone, PASS, startApache, startNginx, startRclone, USER, type RunningDebianDav } from './support/debian-servers.js';

const auth = { username: USER, password: PASS };

describe.skipIf(!haveApache)('Apache 2.4 mod_dav_fs (apt-get install apache2 apache2-utils to run)', () => {
  let server: RunningDebianDav;
  beforeAll(async () => void (server = await startApache()));
  afterAll(async () => server?.stop());
  it('is measured as honoring every precondition and writing PUT bodies aside: compare-and-swap offered, atomic create not', async () => {
    const s = await createWebDavStorage({ url: server.url, root: freshRoot(), ...auth });
    expect(s.serverProfile).toEqual({ ifNoneMatch: true, moveNoOverwrite: true, strongEtags: true, moveIfMatch: true, atomicPut: true, measured: true });
    expect(s.capabilities).toMatchObject({ atomicCreate: false, compareAndSwap: true });
    await s.close!();
  });
  it('answers AuthFailed to a wrong password', async () => {
    await expect(createWebDavStorage({ url: server.url, root: freshRoot(), username: USER, password: 'wrong' })).rejects.toMatchObject({ code: 'AuthFailed' });
  });
  runStorageConformance(
    'webdav on Apache',
    fixtureFor(() => server, auth),
  );
});

describe.skipIf(!haveNginx)('nginx + dav-ext (apt-get install nginx libnginx-mod-http-dav-ext to run)', () => {
  let server: RunningDebianDav;
  beforeAll(async () => void (server = await startNginx()));
  afterAll(async () => server?.stop());
  it('is measured as ignoring If-None-Match and listing no etags: no compare-and-swap', async () => {
    const s = await createWebDavStorage({ url: server.url, root: freshRoot(), ...auth });
    expect(s.serverProfile).toEqual({ ifNoneMatch: false, moveNoOverwrite: true, strongEtags: false, moveIfMatch: false, atomicPut: false, measured: true });
    expect(s.putIfMatch).toBeUndefined();
    await s.close!();
  });
  runStorageConformance(
    'webdav on nginx',
    fixtureFor(() => server, auth),
  );
});

describe.skipIf(!haveRclone)('rclone serve webdav (apt-get install rclone to run)', () => {
  let server: RunningDebianDav;
  beforeAll(async () => void (server = await startRclone()));
  afterAll(async () => server?.stop());
  it('is measured as ignoring If-None-Match and refusing tagged If headers: no compare-and-swap', async () => {
    const s = await createWebDavStorage({ url: server.url, root: freshRoot(), ...auth });
    expect(s.serverProfile).toEqual({ ifNoneMatch: false, moveNoOverwrite: true, strongEtags: true, moveIfMatch: false, atomicPut: false, measured: true });
    expect(s.putIfMatch).toBeUndefined();
    await s.close!();
  });
  runStorageConformance(
    'webdav on rclone',
    fixtureFor(() => server, auth),
  );
});
