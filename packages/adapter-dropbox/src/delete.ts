/** delete: files/delete_v2 (a write: paced like the commits); a key that is already gone is not an error. */
import { call, pathOf, type DropboxContext } from './context.js';
import { routeTags, toStorageError } from './errors.js';
import { unstorableKey } from './names.js';

export async function deleteObject(ctx: DropboxContext, key: string): Promise<void> {
  if (unstorableKey(key)) return; // never stored, so already gone
  try {
    await call(ctx, `delete ${key}`, () => ctx.writes.run(() => ctx.client.dbx.filesDeleteV2({ path: pathOf(ctx, key) })));
  } catch (e) {
    const tags = routeTags(e);
    if (tags[0] === 'path_lookup' && tags[1] === 'not_found') return; // already gone
    throw toStorageError(e, `delete ${key}`);
  }
}
