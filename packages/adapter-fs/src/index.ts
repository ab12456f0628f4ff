/** @module @syncacross/adapter-fs */
import { defineAdapter, z } from '@syncacross/sync-core';
import { resolve } from 'node:path';
import { createFsStorage } from './storage.js';
import { warnIfCachingMount } from './mount-cache.js';

export { createFsStorage, cleanStaleTemps } from './storage.js';
export type { FsStorage, FsStorageOptions, PublishMode } from './storage.js';
export { encodeKey, encodeName, decodeName } from './names.js';
export { parseMountinfo, mountOf, cachingMountAdvice, warnIfCachingMount } from './mount-cache.js';
export type { MountEntry } from './mount-cache.js';

/** The options of `fs:` remotes (`-o key=value` in the CLI), validated, with their defaults; README.md describes each. */
export const optionsSchema = z
  .object({
    /** The folder that holds the repository (the location after `fs:`, made absolute). */
    root: z.string().min(1).describe('the folder that holds the repository (a local disk, USB drive, NAS mount or cloud-drive folder)'),
    /** How finished files get their name (`PublishMode`); default 'auto': hard links if the file system has them, found at first write. */
    publish: z.enum(['auto', 'link', 'rename']).default('auto').describe("how finished files get their name: 'auto' tests hard links (atomic create) at first write"),
    /** fsync files and folders before publishing (default true; turn off only for throwaway tests). */
    fsync: z.boolean().default(true).describe('fsync before publishing'),
    /** Create the root folder when missing (default false: a missing root means an unmounted drive, `Unavailable`). */
    createRoot: z.boolean().default(false).describe('create the folder if missing (otherwise a missing folder means "not mounted")'),
    /** Silence the warning about a mount known to cache listings (rclone mount, davfs2, sshfs, …), once it has short cache times (default false). */
    acceptCachingMount: z
      .boolean()
      .default(false)
      .describe('silence the warning about a mount known to cache listings (rclone mount, davfs2, sshfs, s3fs, gcsfuse), once it is mounted with short cache times'),
  })
  .strict();

/** The parsed options of an `fs:` remote. */
export type FsAdapterOptions = z.infer<typeof optionsSchema>;

/** The adapter module the CLI loads for `--remote fs:…`: storage on a folder. */
export default defineAdapter<FsAdapterOptions>({
  name: 'fs',
  description: 'a local or mounted folder: NAS (SMB/NFS), USB drive, cloud-drive folder',
  optionsSchema,
  secretOptions: [],
  parseLocation: (location) => ({ root: resolve(location) }),
  create: ({ acceptCachingMount, ...options }, context) => {
    if (!acceptCachingMount) warnIfCachingMount(options.root, (line) => context.log(line));
    return createFsStorage(options);
  },
});
