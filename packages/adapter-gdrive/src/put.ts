/**
 * putIfAbsent, check-then-create (Drive has no create-if-absent): a known live id or a search hit
 * answers `exists`; otherwise create, then search again, and the oldest file of the key wins.
 */
import type { PutResult } from '@syncacross/sync-core';
import { liveKnown, parentsOf, remember, search, type GdriveContext } from './context.js';
import { mergeFiles, placeOf, sameContent } from './mapping.js';

export function putIfAbsent(ctx: GdriveContext, key: string, bytes: Uint8Array): Promise<PutResult> {
  return ctx.keyQueue.run(key, async () => {
    if ((await liveKnown(ctx, key)).length > 0) return 'exists';
    const parents = await parentsOf(ctx, key, true);
    const found = await search(ctx, key, parents);
    if (found.length > 0) {
      remember(ctx, key, found);
      return 'exists';
    }
    const target = parents[0]!;
    const mine = await ctx.api.upload(placeOf(key).name, typeof target === 'string' ? target : target.id, bytes);
    // Another process may have created the same key meanwhile: the oldest file wins everywhere.
    // An older copy with our very bytes (a racer writing the same content, or a create that
    // Drive performed twice after a lost response) is the same logical object: still ours.
    const all = mergeFiles(await search(ctx, key, await parentsOf(ctx, key, false)), [mine]);
    const oldest = all[0]!;
    if (oldest.id === mine.id || sameContent(oldest, mine)) {
      remember(ctx, key, all);
      return 'created';
    }
    // Someone else's different bytes won. Best effort: a copy left behind is resolved on read.
    await ctx.api.remove(mine.id).catch(() => undefined);
    ctx.ids.set(
      key,
      all.filter((f) => f.id !== mine.id),
    );
    return 'exists';
  });
}
