/**
 * `@syncacross/adapter-dropbox`: a library on Dropbox (app folder, full Dropbox, or a team space),
 * through the official `dropbox` SDK. The emulator is on the `./emulator` subpath.
 *
 * @module @syncacross/adapter-dropbox
 */
import { defineAdapter, registerSecret, StorageError, type AdapterContext, type Storage } from '@syncacross/sync-core';
import { parseOptions } from '@syncacross/sync-core/adapter-kit';
import { authorizeDropbox } from './auth.js';
import type { Credentials } from './client.js';
import { optionsSchema, parseLocation, secretOptions, type DropboxOptions, type DropboxOptionsInput } from './options.js';
import { createDropboxStorageFromCredentials, DROPBOX_CAPABILITIES } from './storage.js';
import { readAuthorization, tokenFilePath } from './token-store.js';

export { optionsSchema, parseLocation, secretOptions, DROPBOX_CAPABILITIES, authorizeDropbox, tokenFilePath };
export type { DropboxOptions, DropboxOptionsInput };
export { dropboxContentHash } from './content-hash.js';
export { encodeKey, decodeKey } from './names.js';

const parseDropboxOptions = (input: unknown): DropboxOptions => parseOptions('dropbox', optionsSchema, input);

async function credentialsFor(options: DropboxOptions, context?: Pick<AdapterContext, 'credentialsDir'>): Promise<Credentials> {
  registerSecret(options.accessToken);
  registerSecret(options.refreshToken);
  if (options.accessToken || options.refreshToken) return { accessToken: options.accessToken, refreshToken: options.refreshToken, appKey: options.appKey };
  if (!context?.credentialsDir) throw new StorageError('AuthFailed', 'dropbox: no token given and no credentials folder to read one from; run `syncacross auth dropbox`');
  const stored = await readAuthorization(context.credentialsDir, options.profile);
  if (!stored) {
    throw new StorageError('AuthFailed', `dropbox: not authorized yet (no ${tokenFilePath(context.credentialsDir, options.profile)}); run \`syncacross auth dropbox\``);
  }
  registerSecret(stored.refreshToken);
  return { refreshToken: stored.refreshToken, appKey: options.appKey ?? stored.appKey };
}

/** A Dropbox storage. Tokens come from the options, or from the file `syncacross auth dropbox` wrote. */
export async function createDropboxStorage(input: DropboxOptionsInput, context?: Pick<AdapterContext, 'credentialsDir'>): Promise<Storage> {
  const options = parseDropboxOptions(input);
  return createDropboxStorageFromCredentials(options, await credentialsFor(options, context));
}

/** The adapter module the CLI loads for `--remote dropbox:…`: storage on Dropbox. */
export default defineAdapter<DropboxOptions>({
  name: 'dropbox',
  description: 'Dropbox (app folder, full Dropbox or a team space) through the Dropbox API v2',
  optionsSchema,
  secretOptions,
  parseLocation,
  create: (options, context) => createDropboxStorage(options, context),
  auth: async (options, context) => {
    await authorizeDropbox(options, context);
  },
});
