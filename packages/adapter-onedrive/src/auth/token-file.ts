/**
 * The msal token cache (which holds the refresh token), persisted at
 * `<credentialsDir>/onedrive-<account>.json` with mode 0600 in a 0700 directory, written
 * atomically (temp file + rename) so a crash never leaves half a cache behind.
 */
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ICachePlugin, TokenCacheContext } from '@azure/msal-node';
import { registerSecret } from '@syncacross/sync-core';

/** msal's cache holds each token as a `secret` field (RefreshToken, AccessToken, IdToken entries). */
export function registerCacheSecrets(serialized: string): void {
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

export const tokenFilePath = (credentialsDir: string, account: string) => join(credentialsDir, `onedrive-${account}.json`);

export async function writeSecretFile(file: string, data: string): Promise<void> {
  const dir = join(file, '..');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const temp = `${file}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(temp, data, { mode: 0o600 });
  await chmod(temp, 0o600); // mode is only applied when the file is created, and umask may narrow it
  await rename(temp, file);
}

export function fileCachePlugin(file: string): ICachePlugin {
  return {
    async beforeCacheAccess(context: TokenCacheContext) {
      try {
        const text = await readFile(file, 'utf8');
        registerCacheSecrets(text);
        context.tokenCache.deserialize(text);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    },
    async afterCacheAccess(context: TokenCacheContext) {
      if (!context.cacheHasChanged) return;
      const text = context.tokenCache.serialize();
      registerCacheSecrets(text);
      await writeSecretFile(file, text);
    },
  };
}
