/**
 * The OneDrive / SharePoint storage: the contract on top of Graph drive items.
 * - putIfAbsent: `PUT …:/{path}:/content?@microsoft.graph.conflictBehavior=fail` (409
 *   nameAlreadyExists → `exists`), or an upload session above the simple-upload limit;
 * - putIfMatch: the same PUT with `If-Match` (412 → PreconditionFailed);
 * - get: `/content` (302 to the download URL) with `Range`;
 * - list: `/children` walk (listing.ts); delete: `DELETE` (404 = already gone);
 * - changeFeed: a delta query on the folder, `token=latest` then its deltaLinks (change-feed.ts).
 * https://learn.microsoft.com/graph/api/driveitem-put-content
 * Each operation is its own module (put.ts, read.ts, list.ts, delete.ts, ready.ts) over the
 * shared context (context.ts): the config, the transport, the resolved folder.
 */
import type { Storage, StorageCapabilities } from '@syncacross/sync-core';
import { oneDriveChangeFeed } from './change-feed.js';
import type { OneDriveContext } from './context.js';
import { deleteObject } from './delete.js';
import { list } from './list.js';
import { putIfAbsent, putIfMatch } from './put.js';
import { get } from './read.js';
import { ready } from './ready.js';
import type { OneDriveStorageConfig } from './storage-config.js';

export type { DriveSelector, OneDriveStorageConfig } from './storage-config.js';

export interface OneDriveStorage extends Storage {
  /** Resolves the drive and folder (and, with atomicCreate 'auto', runs the conflictBehavior probe). */
  ready(): Promise<void>;
  /** What the creation probe found; undefined until it ran. */
  readonly probeNote?: string;
}

export function createOneDriveStorageFromConfig(config: OneDriveStorageConfig): OneDriveStorage {
  const capabilities: StorageCapabilities = {
    atomicCreate: config.atomicCreate !== 'off',
    compareAndSwap: true,
    rangedGet: true,
    // The delta feed may trail writes; /children reads the folder itself.
    consistentListing: config.listing !== 'delta',
    delete: true,
    maxObjectSize: 250 * 1024 ** 3, // OneDrive's per-file limit
    caseInsensitiveNames: true,
    sortedListing: true,
  };
  const ctx: OneDriveContext = { config, t: config.transport, capabilities };
  const storage: OneDriveStorage = {
    name: config.name,
    capabilities,
    get probeNote() {
      return ctx.probeNote;
    },
    ready: () => ready(ctx, storage),
    putIfAbsent: (key, bytes) => putIfAbsent(ctx, key, bytes),
    get: (key, options) => get(ctx, key, options),
    list: (prefix, options) => list(ctx, prefix, options),
    delete: (key) => deleteObject(ctx, key),
    putIfMatch: (key, bytes, etag) => putIfMatch(ctx, key, bytes, etag),
    changeFeed: oneDriveChangeFeed(ctx),
  };
  return storage;
}
