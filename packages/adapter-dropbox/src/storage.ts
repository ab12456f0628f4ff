/**
 * The Dropbox storage adapter: the storage contract on the Dropbox API v2, through the official
 * SDK. putIfAbsent = files/upload mode `add` + autorename false + strict_conflict true, and a
 * 409 `path/conflict/file` answers `exists`; putIfMatch = mode `update(rev)` (the etag is the
 * rev); get = files/download (with a Range header for ranges); list = cached recursive
 * list_folder + list_folder/continue (folder-snapshots.ts); delete = delete_v2.
 */
import { compareKeys, StorageError, type ByteRange, type ListOptions, type ListPage, type PutResult, type Storage, type StorageCapabilities } from '@syncacross/sync-core';
import type { files } from 'dropbox';
import { createClient, type Credentials, type DropboxClient } from './client.js';
import { dropboxContentHash } from './content-hash.js';
import { responseOf, routeTags, tagChain, toStorageError } from './errors.js';
import { FolderSnapshots, type ListFolderResult } from './folder-snapshots.js';
import { encodeKey, joinPath } from './key-encoding.js';
import type { DropboxOptions } from './options.js';
import { uploadObject, type WriteMode } from './upload.js';

export const DROPBOX_CAPABILITIES: StorageCapabilities = {
  atomicCreate: true, // the commit takes the namespace write lock; probeCapabilities measures it
  compareAndSwap: true,
  rangedGet: true,
  consistentListing: true,
  delete: true,
  maxObjectSize: 350 * 1000 ** 3, // "the maximum size of a file one can upload to an upload session is 350 GB"
  caseInsensitiveNames: true,
  sortedListing: true,
};

const DEFAULT_PAGE = 1000;

export function createDropboxStorageFromCredentials(options: DropboxOptions, credentials: Credentials): Storage {
  const client: DropboxClient = createClient(options, credentials);
  const root = options.root;
  const pathOf = (key: string) => joinPath(root, encodeKey(key));
  let refreshing: Promise<void> | undefined;

  /** Runs one SDK call; an access token Dropbox rejects is refreshed once, then the call repeats. */
  async function call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn();
      } catch (e) {
        const r = responseOf(e);
        if (attempt === 0 && r?.status === 401 && client.canRefresh) {
          const problem = tagChain((r.error as { error?: unknown } | undefined)?.error)[0];
          if (problem === 'expired_access_token' || problem === 'invalid_access_token') {
            refreshing ??= (client.auth.refreshAccessToken() as unknown as Promise<void>).finally(() => (refreshing = undefined));
            try {
              await refreshing;
            } catch (refreshError) {
              throw toStorageError(refreshError, `${what} (refreshing the access token)`);
            }
            continue;
          }
        }
        throw e;
      }
    }
  }
  const mapped = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await call(what, fn);
    } catch (e) {
      throw toStorageError(e, what);
    }
  };

  const snapshots = new FolderSnapshots(
    {
      listFolder: async (path) => (await call(`list ${path || '/'}`, () => client.dbx.filesListFolder({ path, recursive: true, limit: 2000 }))).result as unknown as ListFolderResult,
      listFolderContinue: async (cursor) => (await call('list (continue)', () => client.dbx.filesListFolderContinue({ cursor }))).result as unknown as ListFolderResult,
    },
    root === '' ? 0 : root.split('/').length - 1,
  );

  async function write(key: string, bytes: Uint8Array, mode: WriteMode): Promise<files.FileMetadata> {
    return call(`write ${key}`, () => uploadObject(client.dbx, pathOf(key), bytes, mode, options));
  }

  /** A 409 write conflict: which kind (file at the path, folder at the path, file above it). */
  const conflictKind = (e: unknown) => {
    const tags = routeTags(e);
    const i = tags.indexOf('conflict');
    return i >= 0 ? tags[i + 1] : undefined;
  };
  const shapeConflict = (key: string, kind: string | undefined, e: unknown) =>
    new StorageError('InvalidKey', `dropbox: ${key}: ${kind === 'folder' ? 'a folder has this name (keys exist below it)' : 'a parent of this key is a file'}; Dropbox cannot hold both`, { cause: e });

  const storage: Storage = {
    name: `dropbox:${root || '/'}${options.pathRoot ? ` (${options.pathRoot})` : ''}`,
    capabilities: DROPBOX_CAPABILITIES,

    async putIfAbsent(key: string, bytes: Uint8Array): Promise<PutResult> {
      try {
        await write(key, bytes, { '.tag': 'add' });
        return 'created';
      } catch (e) {
        const kind = conflictKind(e);
        if (kind === 'file') return 'exists';
        if (kind === 'folder' || kind === 'file_ancestor') throw shapeConflict(key, kind, e);
        throw toStorageError(e, `putIfAbsent ${key}`);
      }
    },

    async putIfMatch(key: string, bytes: Uint8Array, etag: string): Promise<{ etag: string }> {
      if (!/^[0-9a-f]{9,}$/.test(etag)) throw new StorageError('PreconditionFailed', `dropbox: ${key}: ${etag} is not a Dropbox rev`);
      try {
        const metadata = await write(key, bytes, { '.tag': 'update', update: etag });
        return { etag: metadata.rev };
      } catch (e) {
        const kind = conflictKind(e);
        if (kind === 'file') throw new StorageError('PreconditionFailed', `dropbox: ${key}: the rev is no longer ${etag}`, { cause: e });
        if (kind === 'folder' || kind === 'file_ancestor') throw shapeConflict(key, kind, e);
        throw toStorageError(e, `putIfMatch ${key}`);
      }
    },

    async get(key: string, opts?: { range?: ByteRange }): Promise<Uint8Array> {
      const path = pathOf(key);
      const range = opts?.range;
      if (range && range.length === 0) {
        await mapped(`get ${key}`, () => client.dbx.filesGetMetadata({ path }));
        return new Uint8Array(0);
      }
      const dbx = range ? client.withHeaders({ Range: `bytes=${range.offset}-${range.offset + range.length - 1}` }) : client.dbx;
      let res;
      try {
        res = await call(`get ${key}`, () => dbx.filesDownload({ path }));
      } catch (e) {
        if (responseOf(e)?.status === 416) return new Uint8Array(0); // the range starts past the end
        const tags = routeTags(e);
        if (tags[0] === 'path' && (tags[1] === 'not_found' || tags[1] === 'not_file')) throw new StorageError('NotFound', `dropbox: ${key} not found`, { cause: e });
        throw toStorageError(e, `get ${key}`);
      }
      const result = res.result as files.FileMetadata & { fileBinary: Buffer };
      const bytes = new Uint8Array(result.fileBinary.buffer, result.fileBinary.byteOffset, result.fileBinary.byteLength);
      if (range) {
        // A server that ignored Range sends the whole file (200): slice it ourselves.
        return res.status === 200 ? bytes.slice(range.offset, range.offset + range.length) : bytes;
      }
      if (result.content_hash && dropboxContentHash(bytes) !== result.content_hash) {
        throw new StorageError('Corrupt', `dropbox: ${key}: downloaded bytes do not match the content_hash Dropbox reports`);
      }
      return bytes;
    },

    async list(prefix: string, opts: ListOptions = {}): Promise<ListPage> {
      const folderKey = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
      const folder = folderKey === '' ? root : pathOf(folderKey);
      let infos;
      try {
        infos = await snapshots.files(folder);
      } catch (e) {
        throw toStorageError(e, `list ${prefix}`);
      }
      const after = opts.cursor ?? opts.startAfter;
      const matching = infos.filter((o) => o.key.startsWith(prefix) && (after === undefined || compareKeys(o.key, after) > 0)).sort((a, b) => compareKeys(a.key, b.key));
      const size = Math.max(1, opts.pageSize ?? DEFAULT_PAGE);
      const objects = matching.slice(0, size);
      return matching.length > size ? { objects, cursor: objects[objects.length - 1]!.key } : { objects };
    },

    async delete(key: string): Promise<void> {
      try {
        await call(`delete ${key}`, () => client.dbx.filesDeleteV2({ path: pathOf(key) }));
      } catch (e) {
        const tags = routeTags(e);
        if (tags[0] === 'path_lookup' && tags[1] === 'not_found') return; // already gone
        throw toStorageError(e, `delete ${key}`);
      }
    },
  };
  return storage;
}
