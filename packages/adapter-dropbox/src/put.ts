/**
 * putIfAbsent and putIfMatch: files/upload (or an upload session, upload.ts) with mode `add` or
 * `update(rev)`. A 409 conflict on a file at the path is the answer (`exists`, or the rev moved
 * on), unless it is our own earlier attempt whose answer was lost (lost-answers.ts); a conflict
 * with a folder at the path or a file above it is a key Dropbox cannot hold.
 */
import { StorageError, type PutResult } from '@syncacross/sync-core';
import type { files } from 'dropbox';
import { call, pathOf, type DropboxContext } from './context.js';
import { routeTags, toStorageError } from './errors.js';
import { ownLostWrite, rememberUnsettled, settle } from './lost-answers.js';
import { unstorableKey } from './names.js';
import { uploadObject, type WriteMode } from './upload.js';

async function write(ctx: DropboxContext, key: string, bytes: Uint8Array, mode: WriteMode): Promise<files.FileMetadata> {
  const problem = unstorableKey(key);
  if (problem) throw new StorageError('InvalidKey', `dropbox: cannot store ${key}: ${problem}`);
  const metadata = await call(ctx, `write ${key}`, () => uploadObject(ctx.client.dbx, pathOf(ctx, key), bytes, mode, ctx.options, ctx.commits));
  settle(ctx, key, bytes);
  return metadata;
}

/** A write that failed other than by a conflict: remembered when its outcome is unknown. */
function failed(ctx: DropboxContext, key: string, bytes: Uint8Array, e: unknown, what: string): StorageError {
  const error = toStorageError(e, what);
  rememberUnsettled(ctx, key, bytes, error);
  return error;
}

/** A 409 write conflict: which kind (file at the path, folder at the path, file above it). */
const conflictKind = (e: unknown) => {
  const tags = routeTags(e);
  const i = tags.indexOf('conflict');
  return i >= 0 ? tags[i + 1] : undefined;
};
const shapeConflict = (key: string, kind: string | undefined, e: unknown) =>
  new StorageError('InvalidKey', `dropbox: ${key}: ${kind === 'folder' ? 'a folder has this name (keys exist below it)' : 'a parent of this key is a file'}; Dropbox cannot hold both`, { cause: e });

export async function putIfAbsent(ctx: DropboxContext, key: string, bytes: Uint8Array): Promise<PutResult> {
  try {
    await write(ctx, key, bytes, { '.tag': 'add' });
    return 'created';
  } catch (e) {
    const kind = conflictKind(e);
    if (kind === 'file') return (await ownLostWrite(ctx, key, bytes)) ? 'created' : 'exists';
    if (kind === 'folder' || kind === 'file_ancestor') throw shapeConflict(key, kind, e);
    throw failed(ctx, key, bytes, e, `putIfAbsent ${key}`);
  }
}

export async function putIfMatch(ctx: DropboxContext, key: string, bytes: Uint8Array, etag: string): Promise<{ etag: string }> {
  if (!/^[0-9a-f]{9,}$/.test(etag)) throw new StorageError('PreconditionFailed', `dropbox: ${key}: ${etag} is not a Dropbox rev`);
  try {
    const metadata = await write(ctx, key, bytes, { '.tag': 'update', update: etag });
    return { etag: metadata.rev };
  } catch (e) {
    const kind = conflictKind(e);
    if (kind === 'file') {
      const ours = await ownLostWrite(ctx, key, bytes);
      if (ours) return { etag: ours.rev };
      throw new StorageError('PreconditionFailed', `dropbox: ${key}: the rev is no longer ${etag}`, { cause: e });
    }
    if (kind === 'folder' || kind === 'file_ancestor') throw shapeConflict(key, kind, e);
    throw failed(ctx, key, bytes, e, `putIfMatch ${key}`);
  }
}
