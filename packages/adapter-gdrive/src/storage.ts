/**
 * The Google Drive storage: the contract on top of a backend with no create-if-absent, no
 * compare-and-swap, duplicate names and lagging searches (see mapping.ts for the layout).
 *
 * - putIfAbsent is check-then-create (declared non-atomic): known id → `exists`; else a search
 *   by name; else create, then search again and, if a racing create of the same key is older,
 *   remove ours and answer `exists`. Calls on one key inside this process are serialized, which
 *   keeps one process from racing itself (it proves nothing across processes, and claims nothing).
 * - get reads by id (ids are cached from creates and listings; by-id reads do not lag).
 * - list is one search per folder (the library folder and the relevant top-level folders, in
 *   parallel), complete or an error; pages of the answer are served from a short-lived snapshot.
 * - changeFeed polls Drive's change log (`changes.list` from a start page token; change-feed.ts).
 * Each operation is its own module (put.ts, read.ts, list.ts, delete.ts) over the shared context
 * (context.ts): the Drive API, the folder index, the ids learned per key.
 */
import type { Storage, StorageCapabilities } from '@syncacross/sync-core';
import { gdriveChangeFeed } from './change-feed.js';
import { createContext } from './context.js';
import { deleteObject } from './delete.js';
import type { DriveApi } from './drive-api.js';
import type { FolderIndex } from './folders.js';
import { list } from './list.js';
import { DRIVE_FILE_LIMIT } from './download.js';
import type { GdriveOptions } from './options.js';
import { putIfAbsent } from './put.js';
import { get } from './read.js';

/** The Drive storage, with the Drive API and folder index it uses (tests and tools look at them). */
/** A Drive-backed Storage, with the adapter's internals exposed for its tests. */
export interface GdriveStorage extends Storage {
  /** The adapter's Drive API wrapper (internal: the live tests use it to make and remove scratch folders). */
  readonly api: DriveApi;
  /** The cache of the library folder and its top-level folders' ids (internal). */
  readonly folders: FolderIndex;
}

/** The Storage over an already made Drive API wrapper, with options already parsed (`createGdriveStorage` does both). */
export function buildGdriveStorage(api: DriveApi, o: GdriveOptions): GdriveStorage {
  const name = `gdrive:${o.folderId ?? o.folderName ?? 'appDataFolder'}`;
  const capabilities: StorageCapabilities = {
    atomicCreate: false,
    compareAndSwap: false,
    rangedGet: true,
    consistentListing: false, // searches lag behind writes on Drive
    delete: true,
    maxObjectSize: DRIVE_FILE_LIMIT,
    caseInsensitiveNames: false,
    sortedListing: true,
  };
  const ctx = createContext(api, o);
  return {
    name,
    capabilities,
    api,
    folders: ctx.folders,
    putIfAbsent: (key, bytes) => putIfAbsent(ctx, key, bytes),
    get: (key, options) => get(ctx, key, options),
    list: (prefix, options) => list(ctx, prefix, options),
    delete: (key) => deleteObject(ctx, key),
    changeFeed: gdriveChangeFeed(ctx),
  };
}
