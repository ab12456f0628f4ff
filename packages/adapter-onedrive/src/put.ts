/**
 * putIfAbsent and putIfMatch: `PUT …:/content` with conflictBehavior=fail or `If-Match`, or an
 * upload session (upload-session.ts) above the simple-upload limit.
 */
import { StorageError, type PutResult } from '@syncacross/sync-core';
import { exists, itemPath, type OneDriveContext } from './context.js';
import { httpStatusOf } from './errors.js';
import { stripQuotes } from './listing.js';
import { uploadWithSession, type DriveItemJson } from './upload-session.js';

/** Graph wants the eTag as it gave it; the contract hands it back without quotes. */
const quoteTag = (etag: string) => (etag.startsWith('"') ? etag : `"${etag}"`);

export async function putIfAbsent(ctx: OneDriveContext, key: string, bytes: Uint8Array): Promise<PutResult> {
  const { config, t } = ctx;
  const p = await itemPath(ctx, key);
  // Without a trustworthy server-side check, at least never overwrite what we can see.
  if (!ctx.capabilities.atomicCreate && (await exists(ctx, key))) return 'exists';
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
}

export async function putIfMatch(ctx: OneDriveContext, key: string, bytes: Uint8Array, etag: string): Promise<{ etag?: string }> {
  const { config, t } = ctx;
  const p = await itemPath(ctx, key);
  let item: DriveItemJson;
  if (bytes.byteLength > config.simpleUploadLimit) {
    const r = await uploadWithSession(t, p, bytes, { conflictBehavior: 'replace', ifMatch: quoteTag(etag), fragmentSize: config.uploadFragmentSize });
    if (r.outcome === 'exists') throw new StorageError('PreconditionFailed', `${config.name}: ${key} changed`);
    item = r.item;
  } else {
    item = await t.run(`replace ${key}`, (c) =>
      c
        .api(`${p}:/content`)
        .header('If-Match', quoteTag(etag))
        .header('Content-Type', 'application/octet-stream')
        .put(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)),
    );
  }
  return item.eTag ? { etag: stripQuotes(item.eTag) } : {};
}
