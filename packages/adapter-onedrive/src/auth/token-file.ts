/**
 * The msal token cache (which holds the refresh token), persisted at
 * `<credentialsDir>/onedrive-<account>.json`, mode 0600, written atomically (the adapter kit's
 * credentials file) so a crash never leaves half a cache behind.
 */
import type { ICachePlugin, TokenCacheContext } from '@azure/msal-node';
import { registerSecret } from '@syncacross/sync-core';
import { credentialsFilePath, readCredentialsFile, writeCredentialsFile } from '@syncacross/sync-core/adapter-kit';

/** msal's cache holds each token as a `secret` field (RefreshToken, AccessToken, IdToken entries). */
function registerCacheSecrets(serialized: string): void {
  let data: unknown;
  try {
    data = JSON.parse(serialized);
  } catch {
    return;
  }
  const walk = (node: unknown): void => {
    if (node === null || typeof node !== 'object') return;
    for (const [k, v] of Object.entries(node)) {
      if (k === 'secret') registerSecret(v);
      else walk(v);
    }
  };
  walk(data);
}

/** Where `syncacross auth onedrive` keeps the sign-in of `account`: `<credentialsDir>/onedrive-<account>.json` (mode 0600). */
export const tokenFilePath = (credentialsDir: string, account: string) => credentialsFilePath(credentialsDir, 'onedrive', account);

export function fileCachePlugin(file: string): ICachePlugin {
  return {
    async beforeCacheAccess(context: TokenCacheContext) {
      const text = await readCredentialsFile(file);
      if (text === undefined) return;
      registerCacheSecrets(text);
      context.tokenCache.deserialize(text);
    },
    async afterCacheAccess(context: TokenCacheContext) {
      if (!context.cacheHasChanged) return;
      const text = context.tokenCache.serialize();
      registerCacheSecrets(text);
      await writeCredentialsFile(file, text);
    },
  };
}
