/**
 * Apache mod_dav_fs writes PUT bodies beside the target and renames them: the probe measures
 * PUT atomic, and a create is one PUT with `If-None-Match: *`, no MOVE. Requests are counted with
 * msw in pass-through mode; uploads are cut off by the request timeout (support/cut-off-uploads.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebDavStorage } from '@syncacross/adapter-webdav';
import { freshRoot } from './support/fixture.js';
import { cutOffUploads } from './support/cut-off-uploads.js';
import { requestLog } from './support/request-log.js';
import { haveApache, PASS, startApache, USER, type RunningDebianDav } from './support/debian-servers.js';

const auth = { username: USER, password: PASS };
const log = requestLog();
const { requests } = log;

describe.skipIf(!haveApache)('creates on Apache mod_dav_fs (apt-get install apache2 apache2-utils to run)', () => {
  let server: RunningDebianDav;
  beforeAll(async () => {
    server = await startApache();
    log.listen();
  });
  afterAll(async () => {
    log.close();
    await server?.stop();
  });

  it('are one PUT each once the collections exist; a second create is one PUT answered 412', async () => {
    const storage = await createWebDavStorage({ url: server.url, root: freshRoot(), ...auth });
    expect(storage.serverProfile).toMatchObject({ ifNoneMatch: true, atomicPut: true });
    requests.length = 0;
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => storage.putIfAbsent(`packs/w1/${i}`, new Uint8Array([i]))));
    expect(results.every((r) => r === 'created')).toBe(true);
    const methods = requests.map((r) => r.split(' ')[0]);
    expect(methods.filter((m) => m === 'PUT')).toHaveLength(20);
    expect(methods.filter((m) => m !== 'PUT' && m !== 'MKCOL')).toEqual([]);
    requests.length = 0;
    expect(await storage.putIfAbsent('packs/w1/3', new Uint8Array([9]))).toBe('exists');
    expect(requests.map((r) => r.split(' ')[0])).toEqual(['PUT']);
    expect([...(await storage.get('packs/w1/3'))]).toEqual([3]);
    await storage.close!();
  });

  it('leave nothing under the key when the upload is cut off mid-body, and the key can be created after', async () => {
    const root = freshRoot();
    const measured = await createWebDavStorage({ url: server.url, root, ...auth });
    await measured.close!();
    const outcomes = await cutOffUploads((timeoutMs) => createWebDavStorage({ url: server.url, root, timeoutMs, ...auth }, measured.serverProfile));
    expect(outcomes.some((o) => o.threw)).toBe(true);
    for (const o of outcomes) expect(o.left === 'nothing' || o.left === 'whole', JSON.stringify(o)).toBe(true);
    const cut = outcomes.find((o) => o.threw && o.left === 'nothing');
    if (cut) {
      const storage = await createWebDavStorage({ url: server.url, root, ...auth }, measured.serverProfile);
      expect(await storage.putIfAbsent(cut.key, new Uint8Array([1]))).toBe('created');
      await storage.close!();
    }
  });
});
