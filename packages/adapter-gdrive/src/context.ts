/**
 * What every Drive storage operation shares, and the look-ups they build on. Drive has no paths,
 * only ids, and its searches lag behind writes, so what we learn of a key's files (from our
 * creates and from listings) is kept here and trusted until a by-id read says otherwise.
 */
import type { ObjectInfo } from '@syncacross/sync-core';
import { KeyedQueue } from '@syncacross/sync-core/adapter-kit';
import { FOLDER_MIME, quote, type DriveApi, type DriveFile } from './drive-api.js';
import { FolderIndex, named } from './folders.js';
import { mergeFiles, placeOf } from './mapping.js';
import type { GdriveOptions } from './options.js';

export interface GdriveContext {
  readonly api: DriveApi;
  readonly folders: FolderIndex;
  /** Known files per key, oldest first (from our creates and from listings). */
  readonly ids: Map<string, DriveFile[]>;
  /** Calls on one key run one after another (see storage.ts). */
  readonly keyQueue: KeyedQueue;
  /** Listings whose pages are still being served, by the id their cursors carry. */
  readonly snapshots: Map<string, { objects: ObjectInfo[]; at: number }>;
}

export function createContext(api: DriveApi, o: GdriveOptions): GdriveContext {
  return { api, folders: new FolderIndex(api, o), ids: new Map(), keyQueue: new KeyedQueue(), snapshots: new Map() };
}

/**
 * Adds files to what we know of a key. Never forgets: a search that comes back empty may just
 * lag behind a create (ours included); only a delete or a by-id 404 removes a known file.
 */
export function remember(ctx: GdriveContext, key: string, files: DriveFile[]): void {
  if (files.length > 0) ctx.ids.set(key, mergeFiles(ctx.ids.get(key) ?? [], files));
}

/** The folders a key's file may be in, or [] when its top-level folder does not exist. */
export async function parentsOf(ctx: GdriveContext, key: string, create: boolean): Promise<DriveFile[] | string[]> {
  const { folder } = placeOf(key);
  if (folder === undefined) return [await ctx.folders.rootId()];
  return create ? ctx.folders.ensure(folder) : ctx.folders.lookup(folder);
}

/** A by-name search for a key's files, exact names only. Lags behind recent creates, like every Drive search. */
export async function search(ctx: GdriveContext, key: string, parents: (DriveFile | string)[]): Promise<DriveFile[]> {
  if (parents.length === 0) return [];
  const parentIds = parents.map((p) => (typeof p === 'string' ? p : p.id));
  const { name } = placeOf(key);
  const found = await ctx.api.searchChildren(parentIds, `name = ${quote(name)} and mimeType != '${FOLDER_MIME}' and trashed = false`);
  // Drive's `name =` ignores case (rclone re-checks too): `a` must never answer for `A`.
  return named(name, found);
}

/** Cached files of a key that still exist, checked by id (no lag). */
export async function liveKnown(ctx: GdriveContext, key: string): Promise<DriveFile[]> {
  const cached = ctx.ids.get(key) ?? [];
  for (const f of cached) {
    if (await ctx.api.metadata(f.id)) return cached.slice(cached.indexOf(f));
  }
  ctx.ids.delete(key);
  return [];
}
