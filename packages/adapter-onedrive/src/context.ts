/**
 * What every OneDrive storage operation shares: the config, the Graph transport, the capabilities
 * (the creation probe may turn atomicCreate off), and the library folder, resolved once on first
 * use. An item is addressed by path under that folder: `/drives/{id}/items/{folder}:/{path}`.
 */
import { StorageError, type StorageCapabilities } from '@syncacross/sync-core';
import type { DeltaIndex } from './delta-index.js';
import type { GraphTransport } from './client.js';
import { httpStatusOf } from './errors.js';
import { keyToPath } from './names.js';
import type { DriveSelector, OneDriveStorageConfig } from './storage-config.js';
import type { DriveItemJson } from './upload-session.js';

export interface FolderLocation {
  /** `/drives/{driveId}` */
  drivePath: string;
  folderId: string;
  /** `/drives/{driveId}/items/{folderId}`: the library's folder. */
  basePath: string;
}

export interface OneDriveContext {
  readonly config: OneDriveStorageConfig;
  readonly t: GraphTransport;
  readonly capabilities: StorageCapabilities;
  location?: Promise<FolderLocation>;
  /** The change-feed index, made on the first listing when `listing` is 'delta'. */
  delta?: DeltaIndex;
  /** What the creation probe found; undefined until it ran. */
  probeNote?: string;
  /** How creates above the simple-upload limit are made atomic (put.ts); 'session' unless the probe chose otherwise. */
  largeCreates?: 'session' | 'staged';
}

const selectorPath = (d: DriveSelector) => (d.kind === 'me' ? '/me/drive' : d.kind === 'id' ? `/drives/${encodeURIComponent(d.id)}` : `/sites/${encodeURIComponent(d.siteId)}/drive`);

async function resolve(ctx: OneDriveContext): Promise<FolderLocation> {
  const { config, t } = ctx;
  const sel = selectorPath(config.drive);
  const segments = config.folder.split('/').filter((s) => s !== '');
  const inAppFolder = segments[0] === 'approot';
  const rest = inAppFolder ? segments.slice(1) : segments;
  let folder: DriveItemJson = await t.run(`resolve ${config.name}`, (c) => c.api(inAppFolder ? `${sel}/special/approot` : `${sel}/root`).get());
  const driveId = folder.parentReference?.driveId;
  if (!driveId) throw new StorageError('Corrupt', `${config.name}: Graph did not say which drive the folder is on`);
  const drivePath = `/drives/${encodeURIComponent(driveId)}`;
  for (const name of rest) {
    // POST children with conflictBehavior=replace returns the existing folder or creates it.
    folder = await t.run(`create folder ${name}`, (c) => c.api(`${drivePath}/items/${folder.id}/children`).post({ name, folder: {}, '@microsoft.graph.conflictBehavior': 'replace' }));
  }
  return { drivePath, folderId: folder.id, basePath: `${drivePath}/items/${folder.id}` };
}

/** The library folder, resolved on first use and kept. */
export function where(ctx: OneDriveContext): Promise<FolderLocation> {
  ctx.location ??= resolve(ctx).catch((e: unknown) => {
    ctx.location = undefined; // retry resolution on the next call
    throw e;
  });
  return ctx.location;
}

/** The Graph path of a key's item. */
export async function itemPath(ctx: OneDriveContext, key: string): Promise<string> {
  let path: string;
  try {
    path = keyToPath(key);
  } catch (e) {
    throw new StorageError('InvalidKey', `${ctx.config.name}: ${(e as Error).message}`);
  }
  return `${(await where(ctx)).basePath}:/${path}`;
}

export async function exists(ctx: OneDriveContext, key: string): Promise<boolean> {
  const p = await itemPath(ctx, key);
  try {
    await ctx.t.run(`stat ${key}`, (c) => c.api(`${p}`).select('id').get());
    return true;
  } catch (e) {
    if (httpStatusOf(e) === 404) return false;
    throw e;
  }
}
