/** delete: `DELETE` on the item; 404 means it is already gone. */
import { itemPath, type OneDriveContext } from './context.js';
import { httpStatusOf } from './errors.js';

export async function deleteObject(ctx: OneDriveContext, key: string): Promise<void> {
  const p = await itemPath(ctx, key);
  try {
    await ctx.t.run(`delete ${key}`, (c) => c.api(p).delete());
  } catch (e) {
    if (httpStatusOf(e) !== 404) throw e;
  }
}
