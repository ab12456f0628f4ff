/** get: `/content` (Graph answers 302 to the download URL), with `Range` for a range. */
import { ResponseType } from '@microsoft/microsoft-graph-client';
import { StorageError, type ByteRange } from '@syncacross/sync-core';
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
  const bytes = new Uint8Array(await response.arrayBuffer());
  // A server that ignored Range sends the whole file (200): slice it ourselves.
  if (range && response.status === 200) return bytes.slice(range.offset, range.offset + range.length);
  return bytes;
}
