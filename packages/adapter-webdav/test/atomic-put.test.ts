/**
 * A create is one PUT only where the probe measured PUT atomic. nephele writes PUT bodies in
 * place: an upload cut off mid-body leaves a prefix under the key for good. These tests cut
 * uploads off with the request timeout and look at what is left, with the profile the probe
 * measured and with one that wrongly claims atomic PUT (the hazard the probe exists to avoid).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebDavStorage, type ServerProfile } from '@syncacross/adapter-webdav';
import { freshRoot } from './support/fixture.js';
import { startNephele, type RunningDav } from './support/npm-servers.js';
import { cutOffUploads } from './support/cut-off-uploads.js';

let server: RunningDav;
beforeAll(async () => void (server = await startNephele()));
afterAll(async () => server?.stop());

describe('creates on a server that writes PUT bodies in place (nephele)', () => {
  it('are measured as not atomic, and an upload cut off mid-body leaves nothing under the key', async () => {
    const root = freshRoot();
    const measured = await createWebDavStorage({ url: server.url, root });
    expect(measured.serverProfile).toMatchObject({ ifNoneMatch: true, atomicPut: false });
    await measured.close!();
    const outcomes = await cutOffUploads((timeoutMs) => createWebDavStorage({ url: server.url, root, timeoutMs }, measured.serverProfile));
    expect(outcomes.some((o) => o.threw)).toBe(true);
    for (const o of outcomes) expect(o.left === 'nothing' || o.left === 'whole').toBe(true);
  });

  it('are measured with one request at a time too (the probe looks while its upload holds a socket)', async () => {
    const s = await createWebDavStorage({ url: server.url, root: freshRoot(), concurrency: 1 });
    expect(s.serverProfile).toMatchObject({ ifNoneMatch: true, atomicPut: false, measured: true });
    await s.close!();
  }, 10_000);

  it('with a profile that wrongly claims atomic PUT, a cut-off upload leaves a prefix that a create then calls `exists`', async () => {
    const root = freshRoot();
    const probe = await createWebDavStorage({ url: server.url, root });
    const wrong: ServerProfile = { ...probe.serverProfile, atomicPut: true };
    await probe.close!();
    const outcomes = await cutOffUploads((timeoutMs) => createWebDavStorage({ url: server.url, root, timeoutMs }, wrong), { until: (o) => o.left === 'prefix' });
    const hazard = outcomes.find((o) => o.left === 'prefix');
    expect(hazard, JSON.stringify(outcomes)).toBeDefined();
    const again = await createWebDavStorage({ url: server.url, root }, wrong);
    expect(await again.putIfAbsent(hazard!.key, randomBytes(16))).toBe('exists');
    await again.close!();
  });
});
