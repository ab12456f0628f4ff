/**
 * get: `/content` (Graph answers 302 to the download URL), with `Range` for a range. The body is
 * read up to what is used (adapter-kit's `readLimit`): a download server that ignores the Range,
 * claims a length far past it or sends a body with no end costs the range, not all the memory.
 */
import { ResponseType } from '@microsoft/microsoft-graph-client';
import { StorageError, type ByteRange } from '@syncacross/sync-core';
import { declaredLength, readBodyWithin, readLimit, tooLargeForStorage } from '@syncacross/sync-core/adapter-kit';
import { exists, itemPath, type OneDriveContext } from './context.js';
import { responseFailure, toStorageError } from './errors.js';

export async function get(ctx: OneDriveContext, key: string, options?: { range?: ByteRange }): Promise<Uint8Array> {
  const p = await itemPath(ctx, key);
  const range = options?.range;
  if (range && range.length === 0) {
    if (!(await exists(ctx, key))) throw new StorageError('NotFound', `${ctx.config.name}: ${key} not found`);
    return new Uint8Array(0);
  }
  // RAW: the SDK hands back the response whatever its status, with headers (Retry-After)
  // intact; its ARRAYBUFFER mode drops them on errors.
  const response: Response = await ctx.t.run(`get ${key}`, (c) => {
    const req = c.api(`${p}:/content`).responseType(ResponseType.RAW);
    if (range) req.header('Range', `bytes=${range.offset}-${range.offset + range.length - 1}`);
    return req.get();
  });
  if (range && response.status === 416) return new Uint8Array(0); // the range starts past the end
  if (!response.ok) throw toStorageError(await responseFailure(response), `get ${key}`);
  const bytes = await bodyOf(ctx, key, response, readLimit(range, response.status === 206, ctx.capabilities.maxObjectSize));
  if (!range && tooLargeForStorage(bytes, ctx.capabilities.maxObjectSize))
    throw new StorageError('Corrupt', `${ctx.config.name}: get ${key}: the server sent more than ${ctx.capabilities.maxObjectSize} bytes, more than any file OneDrive holds`);
  // A server that ignored Range sends the whole file (200): the range is cut from what was read.
  if (range && response.status === 200) return bytes.subarray(range.offset, range.offset + range.length);
  return bytes;
}

/**
 * The body, up to `limit` bytes. Its Content-Length is what the body must add up to, unless it is
 * coded (fetch undoes gzip, and the length is the coded one's). A body cut short is Unavailable:
 * never a short object (field lesson 11).
 */
async function bodyOf(ctx: OneDriveContext, key: string, response: Response, limit: number): Promise<Uint8Array> {
  if (!response.body) return new Uint8Array(0);
  const declared = declaredLength((name) => response.headers.get(name), response.status);
  try {
    const read = await readBodyWithin(response.body, { declared, limit });
    return new Uint8Array(read.buffer, read.byteOffset, read.byteLength); // a plain view, as the contract says, not a Buffer
  } catch (e) {
    throw new StorageError('Unavailable', `${ctx.config.name}: get ${key}: ${(e as Error).message}`, { cause: e });
  }
}
