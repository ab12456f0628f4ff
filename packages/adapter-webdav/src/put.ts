/**
 * The WebDAV writes: upload under a hidden temporary name, then MOVE onto the key's name, with
 * `Overwrite: F` for putIfAbsent and an etag-tagged `If` header for putIfMatch (see the header
 * of storage.ts for what each server honors). Where the server's PUT is atomic and honors
 * `If-None-Match: *` (Apache), putIfAbsent is that one PUT.
 */
import { randomBytes } from 'node:crypto';
import { isStorageError, StorageError, type PutResult } from '@syncacross/sync-core';
import { objectUrl, ok, type DavContext } from './context.js';
import { errorFromStatus } from './errors.js';
import { INTERNAL_PREFIX } from './names.js';
import { quoteEtag } from './server-profile.js';
import { effectiveStatus, type DavAnswer } from './client.js';

export async function putIfAbsent(ctx: DavContext, key: string, bytes: Uint8Array): Promise<PutResult> {
  const { collections, profile } = ctx;
  if (profile.atomicPut && profile.ifNoneMatch) return putDirect(ctx, key, bytes);
  const { path, url } = objectUrl(ctx, key);
  const what = `create ${key}`;
  if (!profile.moveNoOverwrite) {
    await collections.ensure(path.collections);
    if (await exists(ctx, url, what)) return 'exists';
  }
  const temp = await uploadTemp(ctx, path.collections, bytes, what);
  let failure: StorageError;
  try {
    const { status, answer } = await publish(ctx, temp, url, { Overwrite: profile.moveNoOverwrite ? 'F' : 'T' }, what);
    if (ok(status)) return 'created';
    if (status === 412 && profile.moveNoOverwrite) return 'exists';
    failure = errorFromStatus(answer, `${what} (MOVE)`);
  } catch (error) {
    if (!isStorageError(error)) throw error;
    failure = error;
  }
  // The MOVE failed, or its outcome is unknown: webdav-server answers 500 or 404 to MOVEs
  // racing onto one name, and a connection can drop after the rename. If the key is there
  // now, answer as a retry would: `exists` (ours or a racer's, the object is whole).
  if (await exists(ctx, url, what).catch(() => false)) return 'exists';
  throw failure;
}

/**
 * One PUT with `If-None-Match: *` onto the key's name, where the probe measured PUT atomic:
 * a request in flight or cut off shows nothing under the name, so `exists` is always a whole
 * object. It saves the MOVE, which Apache with `FileETag Digest` answers only after reading the
 * whole object for its etag (37 packs of a first upload: 5 s of server time).
 */
async function putDirect(ctx: DavContext, key: string, bytes: Uint8Array): Promise<PutResult> {
  const { path, url } = objectUrl(ctx, key);
  const what = `create ${key}`;
  let answer;
  try {
    answer = await putBody(ctx, path.collections, url, bytes, what, { 'If-None-Match': '*' });
  } catch (error) {
    // No answer: the server renamed the whole body into place or kept nothing. Look, as a retry would.
    if (isStorageError(error) && (await exists(ctx, url, what).catch(() => false))) return 'exists';
    throw error;
  }
  if (ok(answer.status)) return 'created';
  if (answer.status === 412) return 'exists';
  throw errorFromStatus(answer, `${what} (PUT)`);
}

export async function putIfMatch(ctx: DavContext, key: string, bytes: Uint8Array, etag: string): Promise<{ etag?: string }> {
  const { path, url } = objectUrl(ctx, key);
  const what = `replace ${key}`;
  const temp = await uploadTemp(ctx, path.collections, bytes, what);
  const { status, answer } = await publish(ctx, temp, url, { Overwrite: 'T', If: `<${url}> ([${quoteEtag(etag)}])` }, what);
  if (ok(status)) return {}; // the new etag is not known without another, racy, request
  if (status === 412 || status === 404) throw new StorageError('PreconditionFailed', `${ctx.display}: ${key} changed or is gone (etag ${etag} no longer current)`);
  throw errorFromStatus(answer, `${what} (MOVE)`);
}

/** Uploads `bytes` under a fresh hidden name next to the target; returns its URL. */
async function uploadTemp(ctx: DavContext, dir: string[], bytes: Uint8Array, what: string): Promise<string> {
  const temp = ctx.transport.url([...dir, `${INTERNAL_PREFIX}${randomBytes(8).toString('hex')}`]);
  let answer;
  try {
    answer = await putBody(ctx, dir, temp, bytes, what);
  } catch (error) {
    await removeQuietly(ctx, temp); // a half-written temporary, if the server kept one
    throw error;
  }
  if (ok(answer.status)) return temp;
  throw errorFromStatus(answer, `${what} (PUT)`);
}

/** PUTs `bytes` to `url` in collection `dir` (created if missing); answers the server's answer. */
async function putBody(ctx: DavContext, dir: string[], url: string, bytes: Uint8Array, what: string, headers: Record<string, string> = {}): Promise<DavAnswer> {
  const { transport, collections } = ctx;
  await collections.ensure(dir);
  const put = () => transport.request('PUT', url, what, { body: bytes, headers: { 'Content-Type': 'application/octet-stream', ...headers } });
  const answer = await put();
  // The collection was there when we cached it but is gone now (409; rclone 404; nginx 500).
  if (![404, 409, 500].includes(answer.status)) return answer;
  collections.forget(dir);
  await collections.ensure(dir);
  return put();
}

async function removeQuietly(ctx: DavContext, url: string): Promise<void> {
  await ctx.transport.request('DELETE', url, 'remove temporary upload').catch(() => undefined);
}

async function exists(ctx: DavContext, url: string, what: string): Promise<boolean> {
  const answer = await ctx.transport.request('PROPFIND', url, what, { headers: { Depth: '0' } });
  if (answer.status === 404) return false;
  if (answer.status === 207 || answer.status === 200) return true;
  throw errorFromStatus(answer, `${what} (PROPFIND)`);
}

/** Renames `temp` onto `target`; answers the effective MOVE status and cleans up on failure. */
async function publish(
  ctx: DavContext,
  temp: string,
  target: string,
  headers: Record<string, string>,
  what: string,
): Promise<{ status: number; answer: { status: number; headers: { get(n: string): string | null } } }> {
  let moved = false;
  try {
    const answer = await ctx.transport.request('MOVE', temp, what, { headers: { Destination: target, ...headers } });
    const status = await effectiveStatus(answer);
    moved = ok(status);
    return { status, answer: { status, headers: answer.headers } };
  } finally {
    // Also after a network error: the MOVE may or may not have happened (404 is fine then).
    if (!moved) await removeQuietly(ctx, temp);
  }
}
