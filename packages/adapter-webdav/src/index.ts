/**
 * `@syncacross/adapter-webdav`: syncacross storage on any WebDAV server (Nextcloud, ownCloud,
 * Apache mod_dav, NAS boxes, rclone, nginx). See README.md for what each server supports.
 *
 * @module @syncacross/adapter-webdav
 */
import { defineAdapter } from '@syncacross/sync-core';
import { optionsSchema, parseLocation, secretOptions, type ResolvedWebDavOptions } from './options.js';
import { cachedProfile, rememberProfile } from './profile-cache.js';
import { createWebDavStorage } from './storage.js';

export { createWebDavStorage } from './storage.js';
export type { WebDavStorage } from './storage.js';
export { optionsSchema, parseLocation, secretOptions } from './options.js';
export type { WebDavOptions, ResolvedWebDavOptions } from './options.js';
export type { ServerProfile } from './server-profile.js';
export { encodeName, decodeName } from './names.js';

/** The adapter module the CLI loads for `--remote webdav:…`: storage on a WebDAV server. */
export default defineAdapter<ResolvedWebDavOptions>({
  name: 'webdav',
  description: 'Any WebDAV server: Nextcloud, ownCloud, Apache mod_dav, NAS boxes, rclone serve webdav, nginx',
  optionsSchema,
  secretOptions,
  parseLocation,
  async create(options, context) {
    const server = `${options.url.replace(/\/+$/, '')}|${options.root ?? ''}`;
    const known = await cachedProfile(context.credentialsDir, server);
    const storage = await createWebDavStorage(options, known);
    if (!known) await rememberProfile(context.credentialsDir, server, storage.serverProfile);
    return storage;
  },
});
