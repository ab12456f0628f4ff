/**
 * get: a by-id download of the key's logical file (by-id reads do not lag), checked against
 * Drive's md5Checksum when whole. A stale cached id is looked up afresh once.
 */
import { createHash } from 'node:crypto';
import { StorageError, type ByteRange } from '@syncacross/sync-core';
import { parentsOf, remember, search, type GdriveContext } from './context.js';
import { logicalFile } from './mapping.js';

export async function get(ctx: GdriveContext, key: string, options?: { range?: ByteRange }): Promise<Uint8Array> {
  const range = options?.range;
  for (let attempt = 0; ; attempt++) {
    const fromCache = ctx.ids.has(key);
    if (!fromCache) remember(ctx, key, await search(ctx, key, await parentsOf(ctx, key, false)));
    const files = ctx.ids.get(key) ?? []; // a create that finished meanwhile counts too
    if (files.length === 0) throw new StorageError('NotFound', `gdrive: ${key} not found`);
    try {
      const file = logicalFile(key, files);
      const bytes = await ctx.api.download(file.id, range);
      if (!range && file.md5Checksum && createHash('md5').update(bytes).digest('hex') !== file.md5Checksum) {
        throw new StorageError('Corrupt', `gdrive: ${key}: downloaded ${bytes.byteLength} bytes whose md5 differs from Drive's md5Checksum`);
      }
      return bytes;
    } catch (e) {
      // What we cached may be stale: a losing racer removed its copy, or the file was deleted
      // elsewhere. Ask Drive afresh once before answering NotFound or Corrupt.
      const code = (e as StorageError).code;
      if (attempt > 0 || !fromCache || (code !== 'NotFound' && code !== 'Corrupt')) throw e;
      ctx.ids.delete(key);
    }
  }
}
