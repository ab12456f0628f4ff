/**
 * What every OneDrive storage operation shares: the config, the Graph transport, the capabilities
 * (the creation probe may turn atomicCreate off), and the library folder, resolved once on first
 * use. An item is addressed by path under that folder: `/drives/{id}/items/{folder}:/{path}`.
 */
import { StorageError, type StorageCapabilities } from '@syncacross/sync-core';
import type { DeltaIndex } from './delta-index.js';
import type { GraphTransport } from './client.js';
import { httpStatusOf } from './errors.js';
import { folderNamingOf } from './folder-naming.js';
import { namesFor, type OneDriveNames } from './names.js';
import type { DriveSelector, OneDriveStorageConfig } from './storage-config.js';
import type { DriveItemJson } from './upload-session.js';

export interface FolderLocation {
  /** `/drives/{driveId}` */
  drivePath: string;
  folderId: string;
  /** `/drives/{driveId}/items/{folderId}`: the library's folder. */
  basePath: string;
  /** This repository's folder-naming scheme (folder-naming.ts). */
  names: OneDriveNames;
  /** The library folder's decoded path from the drive root (`Apps/syncacross`), for the path-length limit. */
  libraryPath: string;
}

/**
 * "The entire decoded file path, including the file name, can't contain more than 400 characters"
 * in OneDrive and SharePoint (https://support.microsoft.com/office/64883a5d-228e-48f5-b3d2-eb39e07630fa).
 * Counted from the drive root; a SharePoint site's own URL may count too, so this is an upper bound.
 */
const MAX_PATH_LENGTH = 400;

/** `/drive/root:/Apps` + `syncacross` → `Apps/syncacross`; the drive root → ''. */
function decodedPathOf(folder: DriveItemJson): string {
  const parent = folder.parentReference?.path;
  if (folder.root !== undefined || parent === undefined) return '';
  const rest = decodeURIComponent(parent.slice(parent.indexOf('root:') + 'root:'.length)).replace(/^\/+/, '');
  return rest === '' ? folder.name : `${rest}/${folder.name}`;
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
  const basePath = `${drivePath}/items/${folder.id}`;
  return { drivePath, folderId: folder.id, basePath, names: namesFor(await folderNamingOf(t, basePath)), libraryPath: decodedPathOf(folder) };
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
  const { basePath, names, libraryPath } = await where(ctx);
  let relative: string[];
  try {
    relative = names.keyNames(key);
  } catch (e) {
    throw new StorageError('InvalidKey', `${ctx.config.name}: ${(e as Error).message}`);
  }
  const length = (libraryPath === '' ? 0 : libraryPath.length + 1) + relative.join('/').length;
  if (length > MAX_PATH_LENGTH) {
    throw new StorageError(
      'InvalidKey',
      `${ctx.config.name}: ${JSON.stringify(key)} would be a path of ${length} characters in the drive (${libraryPath}/…); OneDrive and SharePoint allow ${MAX_PATH_LENGTH}`,
    );
  }
  return `${basePath}:/${relative.map(encodeURIComponent).join('/')}`;
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
