/**
 * putIfAbsent and putIfMatch: `PUT …:/content` with conflictBehavior=fail or `If-Match`, or an
 * upload session (upload-session.ts) above the simple-upload limit.
 *
 * Large creates take one of two paths, chosen by the creation probe (ready.ts):
 * - 'session': an upload session with conflictBehavior=fail in its body (the documented way);
 * - 'staged': OneDrive for Business has ignored conflictBehavior=fail in upload sessions while
 *   honoring it on simple PUTs and renames
 *   (https://github.com/microsoftgraph/microsoft-graph-docs/issues/3276), so the bytes go to a
 *   unique staging name next to the target, and a rename with conflictBehavior=fail
 *   (https://learn.microsoft.com/graph/api/driveitem-update) makes the create atomic.
 */
import { randomUUID } from 'node:crypto';
import { StorageError, type PutResult } from '@syncacross/sync-core';
import { exists, itemPath, where, type OneDriveContext } from './context.js';
import { httpStatusOf } from './errors.js';
import { stripQuotes } from './listing.js';
import { uploadWithSession, type DriveItemJson } from './upload-session.js';

/** Graph wants the eTag as it gave it; the contract hands it back without quotes. */
const quoteTag = (etag: string) => (etag.startsWith('"') ? etag : `"${etag}"`);
const body = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

export type CreateVia = (ctx: OneDriveContext, path: string, bytes: Uint8Array) => Promise<PutResult>;

export async function putIfAbsent(ctx: OneDriveContext, key: string, bytes: Uint8Array): Promise<PutResult> {
  const p = await itemPath(ctx, key);
  // Without a trustworthy server-side check, at least never overwrite what we can see.
  if (!ctx.capabilities.atomicCreate && (await exists(ctx, key))) return 'exists';
  if (bytes.byteLength <= ctx.config.simpleUploadLimit) return createSimple(ctx, p, bytes);
  return ctx.largeCreates === 'staged' ? createStaged(ctx, p, bytes) : createWithSession(ctx, p, bytes);
}

/** A simple PUT with conflictBehavior=fail: 409 nameAlreadyExists = 'exists'. */
export const createSimple: CreateVia = async (ctx, p, bytes) => {
  try {
    await ctx.t.run(`put ${decodeURIComponent(p)}`, (c) =>
      c.api(`${p}:/content`).query({ '@microsoft.graph.conflictBehavior': 'fail' }).header('Content-Type', 'application/octet-stream').put(body(bytes)),
    );
    return 'created';
  } catch (e) {
    if (httpStatusOf(e) === 409) return 'exists';
    throw e;
  }
};

/** An upload session with conflictBehavior=fail in its body. */
export const createWithSession: CreateVia = async (ctx, p, bytes) => {
  const r = await uploadWithSession(ctx.t, p, bytes, { conflictBehavior: 'fail', fragmentSize: ctx.config.uploadFragmentSize });
  return r.outcome === 'exists' ? 'exists' : 'created';
};

/**
 * Uploads to a unique staging name in the target's folder (a name the decoder ignores: it ends
 * with the folder mark), then renames it onto the target with conflictBehavior=fail. The object
 * appears whole or not at all; on 'exists' the staged copy is deleted. A crash between the two
 * steps leaves an invisible staging file behind (listings skip it).
 */
export const createStaged: CreateVia = async (ctx, p, bytes) => {
  const cut = p.lastIndexOf('/');
  const target = decodeURIComponent(p.slice(cut + 1));
  const staging = `${p.slice(0, cut + 1)}syncacross-upload-${randomUUID()}~`;
  const r = await uploadWithSession(ctx.t, staging, bytes, { conflictBehavior: 'fail', fragmentSize: ctx.config.uploadFragmentSize });
  if (r.outcome === 'exists') throw new StorageError('Unavailable', `staging name ${staging} was taken`);
  const { drivePath } = await where(ctx);
  const staged = `${drivePath}/items/${encodeURIComponent(r.item.id)}`;
  try {
    await ctx.t.run(`rename staged upload to ${target}`, (c) => c.api(staged).query({ '@microsoft.graph.conflictBehavior': 'fail' }).patch({ name: target }));
    return 'created';
  } catch (e) {
    await ctx.t.run('delete staged upload', (c) => c.api(staged).delete()).catch(() => undefined);
    if (httpStatusOf(e) === 409) return 'exists';
    throw e;
  }
};

export async function putIfMatch(ctx: OneDriveContext, key: string, bytes: Uint8Array, etag: string): Promise<{ etag?: string }> {
  const { config, t } = ctx;
  const p = await itemPath(ctx, key);
  let item: DriveItemJson;
  if (bytes.byteLength > config.simpleUploadLimit) {
    const r = await uploadWithSession(t, p, bytes, { conflictBehavior: 'replace', ifMatch: quoteTag(etag), fragmentSize: config.uploadFragmentSize });
    if (r.outcome === 'exists') throw new StorageError('PreconditionFailed', `${config.name}: ${key} changed`);
    item = r.item;
  } else {
    item = await t.run(`replace ${key}`, (c) => c.api(`${p}:/content`).header('If-Match', quoteTag(etag)).header('Content-Type', 'application/octet-stream').put(body(bytes)));
  }
  return item.eTag ? { etag: stripQuotes(item.eTag) } : {};
}
