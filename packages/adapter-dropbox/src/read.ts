/**
 * get: files/download, with a Range header for a range. A whole object is checked against the
 * content_hash Dropbox reports, so damaged bytes are Corrupt rather than silently returned.
 */
import { StorageError, type ByteRange } from '@syncacross/sync-core';
import type { files } from 'dropbox';
import { dropboxContentHash } from './content-hash.js';
import { call, mapped, pathOf, type DropboxContext } from './context.js';
import { responseOf, routeTags, toStorageError } from './errors.js';
import { unstorableKey } from './names.js';

export async function get(ctx: DropboxContext, key: string, opts?: { range?: ByteRange }): Promise<Uint8Array> {
  // A key Dropbox cannot hold was never stored: asking for it would only answer malformed_path.
  if (unstorableKey(key)) throw new StorageError('NotFound', `dropbox: ${key} not found (${unstorableKey(key)})`);
  const path = pathOf(ctx, key);
  const range = opts?.range;
  if (range && range.length === 0) {
    await mapped(ctx, `get ${key}`, () => ctx.client.dbx.filesGetMetadata({ path }));
    return new Uint8Array(0);
  }
  const dbx = range ? ctx.client.withHeaders({ Range: `bytes=${range.offset}-${range.offset + range.length - 1}` }) : ctx.client.dbx;
  let res;
  try {
    res = await call(ctx, `get ${key}`, () => dbx.filesDownload({ path }));
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
}
