/**
 * The Dropbox storage adapter: the storage contract on the Dropbox API v2, through the official
 * SDK. putIfAbsent = files/upload mode `add` + autorename false + strict_conflict true, and a
 * 409 `path/conflict/file` answers `exists`; putIfMatch = mode `update(rev)` (the etag is the
 * rev); get = files/download (with a Range header for ranges); list = cached recursive
 * list_folder + list_folder/continue (folder-snapshots.ts); delete = delete_v2; changeFeed = the
 * list_folder long poll (change-feed.ts).
 * Each operation is its own module (put.ts, read.ts, list.ts, delete.ts) over the shared
 * context (context.ts): the client, the options, the listing snapshots.
 */
import type { Storage, StorageCapabilities } from '@syncacross/sync-core';
import { createChangeFeed } from './change-feed.js';
import { DROPBOX_FILE_LIMIT } from './bounded-download.js';
import { createClient, type Credentials } from './client.js';
import { createContext } from './context.js';
import { deleteObject } from './delete.js';
import { list } from './list.js';
import type { DropboxOptions } from './options.js';
import { putIfAbsent, putIfMatch } from './put.js';
import { get } from './read.js';

/** What the Dropbox adapter declares (probeCapabilities measures it). */
export const DROPBOX_CAPABILITIES: StorageCapabilities = {
  atomicCreate: true, // the commit takes the namespace write lock; probeCapabilities measures it
  compareAndSwap: true,
  rangedGet: true,
  consistentListing: true,
  delete: true,
  maxObjectSize: DROPBOX_FILE_LIMIT,
  caseInsensitiveNames: true,
  sortedListing: true,
};

export function createDropboxStorageFromCredentials(options: DropboxOptions, credentials: Credentials): Storage {
  const ctx = createContext(options, createClient(options, credentials));
  return {
    name: `dropbox:${ctx.root || '/'}${options.pathRoot ? ` (${options.pathRoot})` : ''}`,
    capabilities: DROPBOX_CAPABILITIES,
    putIfAbsent: (key, bytes) => putIfAbsent(ctx, key, bytes),
    putIfMatch: (key, bytes, etag) => putIfMatch(ctx, key, bytes, etag),
    get: (key, opts) => get(ctx, key, opts),
    list: (prefix, opts) => list(ctx, prefix, opts),
    delete: (key) => deleteObject(ctx, key),
    changeFeed: createChangeFeed(ctx),
  };
}
