/**
 * list: the files of the folder a prefix names, from that folder's cached snapshot
 * (folder-snapshots.ts), filtered and paged here. The cursor is the last key of the page.
 */
import { compareKeys, type ListOptions, type ListPage } from '@syncacross/sync-core';
import { pathOf, type DropboxContext } from './context.js';
import { toStorageError } from './errors.js';
import { unstorableKey } from './names.js';

const DEFAULT_PAGE = 1000;

export async function list(ctx: DropboxContext, prefix: string, opts: ListOptions = {}): Promise<ListPage> {
  const folderKey = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
  if (folderKey !== '' && unstorableKey(folderKey)) return { objects: [] }; // no such folder can exist
  const folder = folderKey === '' ? ctx.root : pathOf(ctx, folderKey);
  let infos;
  try {
    infos = await ctx.snapshots.files(folder);
  } catch (e) {
    throw toStorageError(e, `list ${prefix}`);
  }
  const after = opts.cursor ?? opts.startAfter;
  const matching = infos.filter((o) => o.key.startsWith(prefix) && (after === undefined || compareKeys(o.key, after) > 0)).sort((a, b) => compareKeys(a.key, b.key));
  const size = Math.max(1, opts.pageSize ?? DEFAULT_PAGE);
  const objects = matching.slice(0, size);
  return matching.length > size ? { objects, cursor: objects[objects.length - 1]!.key } : { objects };
}
