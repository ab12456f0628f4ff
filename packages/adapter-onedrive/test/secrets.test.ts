/** Every token in a saved msal cache is registered as a secret as soon as the cache is read or written. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { redactSecrets } from '@syncacross/sync-core';
import { clearRegisteredSecrets } from '@syncacross/sync-core/testing';
import { fileCachePlugin } from '../src/auth/token-file.js';

afterEach(() => clearRegisteredSecrets());

const cache = {
  Account: { 'uid.utid-login.example-utid': { username: 'alice@example.com' } },
  RefreshToken: { 'uid.utid-login.example-refreshtoken-client--': { credential_type: 'RefreshToken', secret: 'SECRET-CANARY-onedrive-refresh-42' } },
  AccessToken: { 'uid.utid-login.example-accesstoken-client-utid-files.readwrite': { credential_type: 'AccessToken', secret: 'SECRET-CANARY-onedrive-access-42' } },
};

it('the refresh and access tokens of a saved sign-in are masked once the cache is read', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'onedrive-cache-'));
  try {
    const file = join(dir, 'onedrive-default.json');
    await writeFile(file, JSON.stringify(cache));
    expect(redactSecrets('SECRET-CANARY-onedrive-refresh-42')).toContain('CANARY');
    let deserialized = '';
    await fileCachePlugin(file).beforeCacheAccess({ tokenCache: { deserialize: (t: string) => (deserialized = t) } } as never);
    expect(deserialized).toContain('CANARY');
    expect(redactSecrets('refresh SECRET-CANARY-onedrive-refresh-42, access SECRET-CANARY-onedrive-access-42')).toBe('refresh ***, access ***');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
