/** list: the `/children` walk (listing.ts), or the change feed (delta-index.ts) with listing 'delta'. */
import type { ListOptions, ListPage } from '@syncacross/sync-core';
import { where, type OneDriveContext } from './context.js';
import { DeltaIndex } from './delta-index.js';
import { listKeys } from './listing.js';

export async function list(ctx: OneDriveContext, prefix: string, options: ListOptions = {}): Promise<ListPage> {
  const { config, t } = ctx;
  const { drivePath, basePath, folderId, names } = await where(ctx);
  const after = options.cursor ?? options.startAfter;
  if (config.listing === 'delta') {
    ctx.delta ??= new DeltaIndex(t, basePath, folderId, config.pageSize, names);
    await ctx.delta.sync();
    return { objects: ctx.delta.list(prefix, after) };
  }
  const objects = await listKeys({ t, drivePath, basePath, pageSize: config.pageSize, concurrency: config.listConcurrency ?? 8, names }, prefix, after);
  // The walk has already read every page: returning it whole avoids walking again per page.
  return { objects };
}
