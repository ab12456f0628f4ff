/**
 * `@syncacross/adapter-s3`: AWS S3 and S3-compatible stores (R2, MinIO, Ceph, B2, Wasabi, NAS
 * gateways), with conditional writes where the store really honors them.
 *
 * @module @syncacross/adapter-s3
 */
import { defineAdapter } from '@syncacross/sync-core';
import { createS3Storage } from './create.js';
import { optionsSchema, parseLocation, secretOptions, type ResolvedS3Options } from './options.js';

export { createS3Storage } from './create.js';
export type { CreateS3StorageContext } from './create.js';
export { optionsSchema, parseLocation, secretOptions, normalizePrefix } from './options.js';
export type { S3AdapterOptions, ResolvedS3Options } from './options.js';
export type { S3Storage, WriteMode } from './storage.js';
export { toStorageError } from './errors.js';
export { PROFILES, PROVIDERS, resolveProvider } from './providers.js';
export type { ProviderName, ProviderProfile } from './providers.js';

/** The adapter module the CLI loads for `--remote s3:…`: storage on an S3 bucket. */
export default defineAdapter<ResolvedS3Options>({
  name: 's3',
  description: 'AWS S3 or an S3-compatible store (R2, MinIO, Ceph, Backblaze B2, Wasabi, NAS gateways)',
  optionsSchema,
  secretOptions,
  parseLocation,
  create: (options, context) => createS3Storage(options, { log: (m) => context.log(m) }),
});
