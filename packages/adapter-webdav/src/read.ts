/** What readers see: get (whole or a byte range, however the server answers a Range) and list. */
import { StorageError, type ByteRange, type ListOptions, type ListPage } from '@syncacross/sync-core';
import { ERROR_BODY_LIMIT, readLimit, tooLargeForStorage } from '@syncacross/sync-core/adapter-kit';
import { objectUrl, ok, type DavContext } from './context.js';
import { errorFromStatus } from './errors.js';
import { walkListing } from './listing.js';

export async function get(ctx: DavContext, key: string, opts?: { range?: ByteRange }): Promise<Uint8Array> {
  const { transport, display } = ctx;
  const { url } = objectUrl(ctx, key);
  const what = `get ${key}`;
  const range = opts?.range;
  if (range && range.length === 0) {
    const head = await transport.request('HEAD', url, what);
    if (head.status === 404) throw new StorageError('NotFound', `${display}: ${key} not found`);
    if (!ok(head.status)) throw errorFromStatus(head, `${what} (HEAD)`);
    return new Uint8Array(0);
  }
  const headers: Record<string, string> = range ? { Range: `bytes=${range.offset}-${range.offset + range.length - 1}` } : {};
  const answer = await transport.request('GET', url, what, { headers, bodyLimit: (status) => bodyLimit(status, range, ctx.maxObjectSize) });
  if (answer.status === 404) throw new StorageError('NotFound', `${display}: ${key} not found`);
  if (range && answer.status === 416) return new Uint8Array(0); // the range starts past the end
  if (answer.status === 200 && !range && tooLargeForStorage(answer.body, ctx.maxObjectSize))
    throw new StorageError('Corrupt', `${what}: the server sent more than ${ctx.maxObjectSize} bytes, more than any object this storage accepts (maxObjectSize)`);
  if (answer.status === 200) return range ? answer.body.subarray(range.offset, range.offset + range.length) : answer.body;
  if (range && answer.status === 206) {
    const start = Number(/bytes\s+(\d+)-/i.exec(answer.headers.get('content-range') ?? '')?.[1]);
    if (start !== range.offset) throw new StorageError('Unavailable', `${what}: asked for bytes from ${range.offset}, the server sent ${answer.headers.get('content-range')}`);
    return answer.body.subarray(0, range.length);
  }
  throw errorFromStatus(answer, `${what} (GET)`);
}

/** How much of a GET's body is read, by its status (adapter-kit's `readLimit`): the range, or a message for an error. */
function bodyLimit(status: number, range: ByteRange | undefined, maxObjectSize: number): number {
  if (status === 206 && range) return readLimit(range, true, maxObjectSize);
  if (status === 200) return readLimit(range, false, maxObjectSize);
  return ERROR_BODY_LIMIT;
}

export async function list(ctx: DavContext, prefix: string, opts: ListOptions = {}): Promise<ListPage> {
  // One page: a PROPFIND returns whole collections anyway, so cutting pages would only make
  // later pages re-read them. pageSize is a hint the contract lets us exceed.
  return { objects: await walkListing(ctx.transport, prefix, opts.cursor ?? opts.startAfter, opts.etags !== false) };
}
