/**
 * get: files/download, with a Range header for a range, its body read no further than used
 * (bounded-download.ts). A whole object is checked against the content_hash Dropbox reports, so
 * damaged bytes are Corrupt rather than silently returned.
 */
import { StorageError, type ByteRange } from '@syncacross/sync-core';
import { tooLargeForStorage } from '@syncacross/sync-core/adapter-kit';
import type { files } from 'dropbox';
import { DROPBOX_FILE_LIMIT, readFailureOf } from './bounded-download.js';
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
  const failure = readFailureOf(result.fileBinary);
  if (failure) throw new StorageError('Unavailable', `dropbox: get ${key}: ${failure.message}`, { cause: failure }); // a read cut short: never a short file
  const bytes = new Uint8Array(result.fileBinary.buffer, result.fileBinary.byteOffset, result.fileBinary.byteLength);
  if (!range && tooLargeForStorage(bytes, DROPBOX_FILE_LIMIT))
    throw new StorageError('Corrupt', `dropbox: get ${key}: the server sent more than ${DROPBOX_FILE_LIMIT} bytes, more than any Dropbox file holds`);
  if (range) {
    // A server that ignored Range sends the whole file (200): the range is cut from what was read.
    return res.status === 200 ? bytes.subarray(range.offset, range.offset + range.length) : bytes;
  }
  if (result.content_hash && dropboxContentHash(bytes) !== result.content_hash) {
    throw new StorageError('Corrupt', `dropbox: ${key}: downloaded bytes do not match the content_hash Dropbox reports`);
  }
  return bytes;
}
