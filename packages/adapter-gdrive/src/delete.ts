/** delete: every file of the key, known or found by a search (duplicates included). */
import { parentsOf, search, type GdriveContext } from './context.js';
import { mergeFiles } from './mapping.js';

export function deleteObject(ctx: GdriveContext, key: string): Promise<void> {
  return ctx.keyQueue.run(key, async () => {
    const files = mergeFiles(ctx.ids.get(key) ?? [], await search(ctx, key, await parentsOf(ctx, key, false)));
    for (const f of files) await ctx.api.remove(f.id);
    ctx.ids.delete(key);
  });
}
