/**
 * putIfAbsent, check-then-create (Drive has no create-if-absent): a known live id or a search hit
 * answers `exists`; otherwise create, then search again, and the oldest file of the key wins.
 */
import type { PutResult } from '@syncacross/sync-core';
import { liveKnown, parentsOf, remember, search, type GdriveContext } from './context.js';
import type { DriveFile } from './drive-api.js';
import { isFolderFull } from './errors.js';
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
    const mine = await uploadWhereRoom(ctx, key, bytes, parents);
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

/**
 * Uploads into the oldest folder of the key's top-level name that is not full. Drive refuses a
 * 500,001st item in a folder (403 numChildrenInNonRootLimitExceeded, errors.ts); the adapter then
 * adds a same-named folder (FolderIndex.grow) and writes there. Keys at the library's top level
 * (no folder) get the error as it is: NoSpace, naming the cap.
 */
async function uploadWhereRoom(ctx: GdriveContext, key: string, bytes: Uint8Array, parents: DriveFile[] | string[]): Promise<DriveFile> {
  const { folder, name } = placeOf(key);
  let candidates: (DriveFile | string)[] = parents;
  let refusal: unknown;
  // A new folder has room, though racing uploads of this process may fill it first; more than 16
  // new folders for one object means Drive refuses for another reason: say so, stop adding more.
  for (let grown = 0; grown <= 16;) {
    const target = candidates.map((p) => (typeof p === 'string' ? p : p.id)).find((id) => !ctx.folders.isFull(id));
    if (target === undefined) {
      candidates = await ctx.folders.grow(folder!);
      grown++;
      continue;
    }
    try {
      return await ctx.api.upload(name, target, bytes);
    } catch (e) {
      if (folder === undefined || !isFolderFull(e)) throw e;
      ctx.folders.markFull(target);
      refusal = e;
    }
  }
  throw refusal;
}
