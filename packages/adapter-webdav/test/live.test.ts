/**
 * The conformance suite against a real WebDAV server (Nextcloud, ownCloud, a NAS…), when
 *   SYNCACROSS_WEBDAV_TEST_URL   e.g. https://cloud.example.com/remote.php/dav/files/alice
 *   SYNCACROSS_WEBDAV_TEST_USER, SYNCACROSS_WEBDAV_TEST_PASS   (or SYNCACROSS_WEBDAV_TEST_TOKEN)
 * are set. Every check works in its own folder under `syncacross-test/` and deletes it afterwards.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { runStorageConformance } from '@syncacross/sync-core/testing';
import { createWebDavStorage, type WebDavOptions } from '@syncacross/adapter-webdav';
import { unreachable } from './support/fixture.js';

const env = process.env;
const url = env.SYNCACROSS_WEBDAV_TEST_URL;
const haveCreds = Boolean(url);
const credentials: Partial<WebDavOptions> = env.SYNCACROSS_WEBDAV_TEST_TOKEN
  ? { bearerToken: env.SYNCACROSS_WEBDAV_TEST_TOKEN }
  : env.SYNCACROSS_WEBDAV_TEST_USER
    ? { username: env.SYNCACROSS_WEBDAV_TEST_USER, password: env.SYNCACROSS_WEBDAV_TEST_PASS ?? '' }
    : {};

async function removeFolder(root: string): Promise<void> {
  const headers: Record<string, string> = {};
  if (credentials.bearerToken) headers.Authorization = `Bearer ${credentials.bearerToken}`;
  else if (credentials.username) headers.Authorization = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
  await fetch(`${url!.replace(/\/+$/, '')}/${root}/`, { method: 'DELETE', headers }).catch(() => undefined);
}

describe.skipIf(!haveCreds)('live webdav (set SYNCACROSS_WEBDAV_TEST_URL, _USER and _PASS (or _TOKEN) to run)', () => {
  it('measures the server and never claims atomic create', async () => {
    const root = `syncacross-test/${randomBytes(5).toString('hex')}`;
    const s = await createWebDavStorage({ url: url!, root, ...credentials });
    console.log(`live webdav server profile: ${JSON.stringify(s.serverProfile)}`);
    expect(s.capabilities.atomicCreate).toBe(false);
    await s.close!();
    await removeFolder(root);
  });

  runStorageConformance(
    'webdav live',
    async () => {
      const root = `syncacross-test/${randomBytes(5).toString('hex')}`;
      const storage = await createWebDavStorage({ url: url!, root, ...credentials });
      return {
        storage,
        unreachable,
        teardown: async () => {
          await storage.close!();
          await removeFolder(root);
        },
      };
    },
    { timeoutMs: 600_000 },
  );
});
