/**
 * What readers see: get and list, both hiding the keys this process is still writing in
 * check-then-write mode, and list hiding the adapter's own probe keys.
 */
import { StorageError, type ByteRange, type ListOptions, type ListPage } from '@syncacross/sync-core';
import { full, storageName, type S3Context } from './context.js';

/** Keys the adapter writes for itself; never listed to the engine. */
const PROBE_DIR = '.syncacross-probe/';

export async function get(ctx: S3Context, key: string, options?: { range?: ByteRange }): Promise<Uint8Array> {
  if (ctx.writing.has(full(ctx, key))) throw new StorageError('NotFound', `${storageName(ctx)}: ${key} is still being written`);
  return ctx.io.get(full(ctx, key), options?.range);
}

export async function list(ctx: S3Context, listPrefix: string, options: ListOptions = {}): Promise<ListPage> {
  const prefix = ctx.prefix;
  const page = await ctx.io.listPage(full(ctx, listPrefix), {
    startAfter: options.startAfter === undefined ? undefined : full(ctx, options.startAfter),
    cursor: options.cursor,
    maxKeys: Math.max(1, Math.min(1000, options.pageSize ?? 1000)),
  });
  const objects = [];
  for (const o of page.objects) {
    if (!o.key.startsWith(prefix)) throw new StorageError('Corrupt', `${storageName(ctx)}: listing returned ${JSON.stringify(o.key)}, outside ${JSON.stringify(prefix)}`);
    const key = o.key.slice(prefix.length);
    if (key.startsWith(PROBE_DIR) || ctx.writing.has(o.key)) continue;
    objects.push({ key, size: o.size, ...(o.etag === undefined ? {} : { etag: o.etag }), ...(o.modified === undefined ? {} : { modified: o.modified }) });
  }
  return page.cursor === undefined ? { objects } : { objects, cursor: page.cursor };
}
