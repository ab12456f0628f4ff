/**
 * `@syncacross/adapter-gdrive`: Google Drive storage through the Drive v3 API (googleapis).
 *
 *   SYNCACROSS_GDRIVE_CLIENT_SECRET=… syncacross auth gdrive:<folder> -o clientId=…   # once, opens a browser (--device: a code instead)
 *   syncacross init DIR --remote gdrive:<folder-name|id:folder-id|appDataFolder> -o clientId=…
 *
 * @module @syncacross/adapter-gdrive
 */
import { defineAdapter, StorageError, type AdapterContext, type AuthContext } from '@syncacross/sync-core';
import { parseOptions } from '@syncacross/sync-core/adapter-kit';
import { DEVICE_FLOW_SCOPES, runDeviceFlow } from './auth/device-flow.js';
import { runInstalledAppFlow } from './auth/installed-app-flow.js';
import { createDriveClients, createOAuthClient } from './client.js';
import { DriveApi } from './drive-api.js';
import { defaultScope, deviceCodeUrl, oauthEndpoints, optionsSchema, parseLocation, secretOptions, type GdriveOptions, type GdriveOptionsInput } from './options.js';
import { buildGdriveStorage, type GdriveStorage } from './storage.js';
import { tokenFilePath, writeToken } from './token-store.js';

export { optionsSchema, parseLocation, secretOptions, defaultScope } from './options.js';
export type { GdriveOptions, GdriveOptionsInput } from './options.js';
export { buildGdriveStorage, type GdriveStorage } from './storage.js';
export { toStorageError, REAUTH_HINT } from './errors.js';
export { runInstalledAppFlow } from './auth/installed-app-flow.js';
export { runDeviceFlow } from './auth/device-flow.js';
export { tokenFilePath, readToken } from './token-store.js';

const validate = (input: unknown): GdriveOptions => parseOptions('gdrive', optionsSchema, input);

/** A Drive-backed Storage. Reads the refresh token from `context.credentialsDir` unless given in options. */
export async function createGdriveStorage(options: GdriveOptionsInput, context: Partial<AdapterContext> = {}): Promise<GdriveStorage> {
  const o = validate(options);
  const { drive, requester, refresh } = await createDriveClients(o, context.credentialsDir);
  return buildGdriveStorage(new DriveApi(drive, requester, o, refresh), o);
}

/**
 * How to sign in: `auth --device` asks for a device code, `--no-browser` for the browser flow;
 * with neither, a machine where no browser can open uses the device flow when Google grants the
 * scope that way (drive.file, drive.appdata), and otherwise the browser flow with the address
 * printed, saying why.
 */
function chooseFlow(scope: string, context: AuthContext): 'browser' | 'device' {
  const deviceCanGrant = scope.split(/\s+/).every((s) => DEVICE_FLOW_SCOPES.has(s));
  if (context.flow === 'device' && !deviceCanGrant) {
    throw new StorageError(
      'InvalidConfig',
      `gdrive: Google's device sign-in cannot grant ${scope}, which a folder given by id needs (it grants drive.file and drive.appdata only). Use gdrive:<folder-name> (a folder syncacross creates) or gdrive:appDataFolder, or sign in where a browser can open (or forward the printed address's port over SSH) without --device`,
    );
  }
  if (context.flow) return context.flow;
  if (context.browser !== false) return 'browser';
  if (deviceCanGrant) return 'device';
  context.log(`No browser can be opened here, and Google's device sign-in cannot grant ${scope}: open the address below in a browser that can reach this machine (e.g. forward its port over SSH).`);
  return 'browser';
}

/** `syncacross auth gdrive`: the browser or device flow, then the refresh token saved 0600 under credentialsDir. */
export async function authorizeGdrive(options: GdriveOptionsInput, context: AuthContext): Promise<string> {
  const o = validate(options);
  if (!o.clientId) throw new StorageError('InvalidConfig', 'gdrive: clientId (and clientSecret) are required: register an OAuth client of type "Desktop app" (see the adapter README)');
  const path = tokenFilePath(o, context.credentialsDir)!;
  const scope = defaultScope(o);
  const tokens =
    chooseFlow(scope, context) === 'device'
      ? await runDeviceFlow({
          deviceCodeUrl: deviceCodeUrl(o),
          tokenUrl: oauthEndpoints(o).oauth2TokenUrl,
          clientId: o.clientId,
          clientSecret: o.clientSecret,
          scope,
          log: context.log,
          signal: context.signal,
        })
      : await runInstalledAppFlow({ client: (redirectUri) => createOAuthClient(o, redirectUri), scope, openUrl: context.openUrl, log: context.log, signal: context.signal });
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
