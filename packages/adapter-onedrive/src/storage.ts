/**
 * The OneDrive / SharePoint storage: the contract on top of Graph drive items.
 * - putIfAbsent: `PUT …:/{path}:/content?@microsoft.graph.conflictBehavior=fail` (409
 *   nameAlreadyExists → `exists`), or an upload session above the simple-upload limit;
 * - putIfMatch: the same PUT with `If-Match` (412 → PreconditionFailed);
 * - get: `/content` (302 to the download URL) with `Range`;
 * - list: `/children` walk (listing.ts); delete: `DELETE` (404 = already gone).
 * https://learn.microsoft.com/graph/api/driveitem-put-content
 */
import { randomUUID } from 'node:crypto';
import { ResponseType } from '@microsoft/microsoft-graph-client';
import { StorageError, type ByteRange, type ListOptions, type ListPage, type PutResult, type Storage, type StorageCapabilities } from '@syncacross/sync-core';
import type { GraphTransport } from './graph-client.js';
import { httpStatusOf, responseFailure, toStorageError } from './graph-errors.js';
import { DeltaIndex } from './delta-index.js';
import { listKeys, stripQuotes } from './listing.js';
import { folderName, keyToPath } from './names.js';
import { uploadWithSession, type DriveItemJson } from './upload-session.js';

export type DriveSelector = { kind: 'me' } | { kind: 'id'; id: string } | { kind: 'site'; siteId: string };

export interface OneDriveStorageConfig {
  name: string;
  transport: GraphTransport;
  drive: DriveSelector;
  /** 'approot', 'approot/<sub/path>', or a path from the drive root ('' = the root). */
  folder: string;
  pageSize: number;
  atomicCreate: 'auto' | 'trust' | 'off';
  simpleUploadLimit: number;
  uploadFragmentSize: number;
  listConcurrency?: number;
  /** 'children' walks folders; 'delta' follows the change feed (one request when nothing changed). */
  listing?: 'children' | 'delta';
  log?: (message: string) => void;
}

export interface OneDriveStorage extends Storage {
  /** Resolves the drive and folder (and, with atomicCreate 'auto', runs the conflictBehavior probe). */
  ready(): Promise<void>;
  /** What the creation probe found; undefined until it ran. */
  readonly probeNote?: string;
}

const selectorPath = (d: DriveSelector) => (d.kind === 'me' ? '/me/drive' : d.kind === 'id' ? `/drives/${encodeURIComponent(d.id)}` : `/sites/${encodeURIComponent(d.siteId)}/drive`);
/** Graph wants the eTag as it gave it; the contract hands it back without quotes. */
const quoteTag = (etag: string) => (etag.startsWith('"') ? etag : `"${etag}"`);

export function createOneDriveStorageFromConfig(config: OneDriveStorageConfig): OneDriveStorage {
  const t = config.transport;
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
  let location: Promise<{ drivePath: string; folderId: string; basePath: string }> | undefined;
  let delta: DeltaIndex | undefined;
  let probeNote: string | undefined;

  const resolve = async () => {
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
      folder = await t.run(`create folder ${name}`, (c) =>
        c.api(`${drivePath}/items/${folder.id}/children`).post({ name, folder: {}, '@microsoft.graph.conflictBehavior': 'replace' }),
      );
    }
    return { drivePath, folderId: folder.id, basePath: `${drivePath}/items/${folder.id}` };
  };
  const where = () => {
    location ??= resolve().catch((e: unknown) => {
      location = undefined; // retry resolution on the next call
      throw e;
    });
    return location;
  };
  const itemPath = async (key: string) => {
    let path: string;
    try {
      path = keyToPath(key);
    } catch (e) {
      throw new StorageError('InvalidKey', `${config.name}: ${(e as Error).message}`);
    }
    return `${(await where()).basePath}:/${path}`;
  };
  const exists = async (key: string) => {
    const p = await itemPath(key);
    try {
      await t.run(`stat ${key}`, (c) => c.api(`${p}`).select('id').get());
      return true;
    } catch (e) {
      if (httpStatusOf(e) === 404) return false;
      throw e;
    }
  };

  const storage: OneDriveStorage = {
    name: config.name,
    capabilities,
    get probeNote() {
      return probeNote;
    },

    async ready() {
      await where();
      if (config.atomicCreate !== 'auto' || probeNote !== undefined) return;
      // Field reports say conflictBehavior=fail is not always honored: check before claiming it.
      const key = `.syncacross-probe/${randomUUID()}`;
      await storage.putIfAbsent(key, Buffer.from('first'));
      const second = await storage.putIfAbsent(key, Buffer.from('second'));
      const kept = Buffer.from(await storage.get(key)).toString();
      const honored = second === 'exists' && kept === 'first';
      await storage.delete!(key);
      const { basePath } = await where();
      await t.run('remove probe folder', (c) => c.api(`${basePath}:/${encodeURIComponent(folderName('.syncacross-probe'))}`).delete()).catch(() => undefined);
      if (!honored) {
        capabilities.atomicCreate = false;
        probeNote = `${config.name}: the server ignored conflictBehavior=fail (a second create replaced the file): atomic create is off, creates check first`;
        config.log?.(probeNote);
      } else probeNote = `${config.name}: conflictBehavior=fail is honored`;
    },

    async putIfAbsent(key: string, bytes: Uint8Array): Promise<PutResult> {
      const p = await itemPath(key);
      // Without a trustworthy server-side check, at least never overwrite what we can see.
      if (!capabilities.atomicCreate && (await exists(key))) return 'exists';
      if (bytes.byteLength > config.simpleUploadLimit) {
        const r = await uploadWithSession(t, p, bytes, { conflictBehavior: 'fail', fragmentSize: config.uploadFragmentSize });
        return r.outcome === 'exists' ? 'exists' : 'created';
      }
      try {
        await t.run(`put ${key}`, (c) =>
          c
            .api(`${p}:/content`)
            .query({ '@microsoft.graph.conflictBehavior': 'fail' })
            .header('Content-Type', 'application/octet-stream')
            .put(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)),
        );
        return 'created';
      } catch (e) {
        if (httpStatusOf(e) === 409) return 'exists';
        throw e;
      }
    },

    async get(key: string, options?: { range?: ByteRange }): Promise<Uint8Array> {
      const p = await itemPath(key);
      const range = options?.range;
      if (range && range.length === 0) {
        if (!(await exists(key))) throw new StorageError('NotFound', `${config.name}: ${key} not found`);
        return new Uint8Array(0);
      }
      // RAW: the SDK hands back the response whatever its status, with headers (Retry-After)
      // intact; its ARRAYBUFFER mode drops them on errors.
      const response: Response = await t.run(`get ${key}`, (c) => {
        const req = c.api(`${p}:/content`).responseType(ResponseType.RAW);
        if (range) req.header('Range', `bytes=${range.offset}-${range.offset + range.length - 1}`);
        return req.get();
      });
      if (range && response.status === 416) return new Uint8Array(0); // the range starts past the end
      if (!response.ok) throw toStorageError(await responseFailure(response), `get ${key}`);
      const bytes = new Uint8Array(await response.arrayBuffer());
      // A server that ignored Range sends the whole file (200): slice it ourselves.
      if (range && response.status === 200) return bytes.slice(range.offset, range.offset + range.length);
      return bytes;
    },

    async list(prefix: string, options: ListOptions = {}): Promise<ListPage> {
      const { drivePath, basePath, folderId } = await where();
      const after = options.cursor ?? options.startAfter;
      if (config.listing === 'delta') {
        delta ??= new DeltaIndex(t, basePath, folderId, config.pageSize);
        await delta.sync();
        return { objects: delta.list(prefix, after) };
      }
      const objects = await listKeys({ t, drivePath, basePath, pageSize: config.pageSize, concurrency: config.listConcurrency ?? 8 }, prefix, after);
      // The walk has already read every page: returning it whole avoids walking again per page.
      return { objects };
    },

    async delete(key: string): Promise<void> {
      const p = await itemPath(key);
      try {
        await t.run(`delete ${key}`, (c) => c.api(p).delete());
      } catch (e) {
        if (httpStatusOf(e) !== 404) throw e;
      }
    },

    async putIfMatch(key: string, bytes: Uint8Array, etag: string): Promise<{ etag?: string }> {
      const p = await itemPath(key);
      let item: DriveItemJson;
      if (bytes.byteLength > config.simpleUploadLimit) {
        const r = await uploadWithSession(t, p, bytes, { conflictBehavior: 'replace', ifMatch: quoteTag(etag), fragmentSize: config.uploadFragmentSize });
        if (r.outcome === 'exists') throw new StorageError('PreconditionFailed', `${config.name}: ${key} changed`);
        item = r.item;
      } else {
        item = await t.run(`replace ${key}`, (c) =>
          c.api(`${p}:/content`).header('If-Match', quoteTag(etag)).header('Content-Type', 'application/octet-stream').put(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)),
        );
      }
      return item.eTag ? { etag: stripQuotes(item.eTag) } : {};
    },
  };
  return storage;
}
