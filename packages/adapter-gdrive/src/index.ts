/**
 * `@syncacross/adapter-gdrive`: Google Drive storage through the Drive v3 API (googleapis).
 *
 *   SYNCACROSS_GDRIVE_CLIENT_SECRET=… syncacross auth gdrive:<folder> -o clientId=…   # once, opens a browser
 *   syncacross init DIR --remote gdrive:<folder-name|id:folder-id|appDataFolder> -o clientId=…
 *
 * @module @syncacross/adapter-gdrive
 */
import { defineAdapter, StorageError, type AdapterContext, type AuthContext } from '@syncacross/sync-core';
import { parseOptions } from '@syncacross/sync-core/adapter-kit';
import { runInstalledAppFlow } from './auth/installed-app-flow.js';
import { createDriveClients, createOAuthClient } from './client.js';
import { DriveApi } from './drive-api.js';
import { defaultScope, optionsSchema, parseLocation, secretOptions, type GdriveOptions, type GdriveOptionsInput } from './options.js';
import { buildGdriveStorage, type GdriveStorage } from './storage.js';
import { tokenFilePath, writeToken } from './token-store.js';

export { optionsSchema, parseLocation, secretOptions, defaultScope } from './options.js';
export type { GdriveOptions, GdriveOptionsInput } from './options.js';
export { buildGdriveStorage, type GdriveStorage } from './storage.js';
export { toStorageError, REAUTH_HINT } from './errors.js';
export { runInstalledAppFlow } from './auth/installed-app-flow.js';
export { tokenFilePath, readToken } from './token-store.js';

const validate = (input: unknown): GdriveOptions => parseOptions('gdrive', optionsSchema, input);

/** A Drive-backed Storage. Reads the refresh token from `context.credentialsDir` unless given in options. */
export async function createGdriveStorage(options: GdriveOptionsInput, context: Partial<AdapterContext> = {}): Promise<GdriveStorage> {
  const o = validate(options);
  const { drive, requester, refresh } = await createDriveClients(o, context.credentialsDir);
  return buildGdriveStorage(new DriveApi(drive, requester, o, refresh), o);
}

/** `syncacross auth gdrive`: the browser flow, then the refresh token saved 0600 under credentialsDir. */
export async function authorizeGdrive(options: GdriveOptionsInput, context: AuthContext): Promise<string> {
  const o = validate(options);
  if (!o.clientId) throw new StorageError('InvalidConfig', 'gdrive: clientId (and clientSecret) are required: register an OAuth client of type "Desktop app" (see the adapter README)');
  const path = tokenFilePath(o, context.credentialsDir)!;
  const tokens = await runInstalledAppFlow({
    client: (redirectUri) => createOAuthClient(o, redirectUri),
    scope: defaultScope(o),
    openUrl: context.openUrl,
    log: context.log,
    signal: context.signal,
  });
  await writeToken(path, { type: 'authorized_user', client_id: o.clientId, refresh_token: tokens.refreshToken, scope: tokens.scope, created: new Date().toISOString() });
  context.log(`Saved the Google Drive authorization to ${path} (readable only by you).`);
  return path;
}

/** The adapter module the CLI loads for `--remote gdrive:…`: storage on Google Drive. */
export default defineAdapter<GdriveOptions>({
  name: 'gdrive',
  description: 'Google Drive (API v3): a folder by id or name, a shared drive folder, or the hidden appDataFolder',
  optionsSchema,
  secretOptions,
  parseLocation,
  create: (options, context) => createGdriveStorage(options, context),
  auth: async (options, context) => {
    await authorizeGdrive(options, context);
  },
});
