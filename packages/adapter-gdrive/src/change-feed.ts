/**
 * The storage's change feed (the contract's `ChangeFeed`, mode 'poll') on Drive's change log
 * (guide: https://developers.google.com/drive/api/guides/manage-changes):
 * - without a cursor, `changes.getStartPageToken` is the cursor (the log's position now);
 * - with one, `changes.list` from it, `nextPageToken` after `nextPageToken` up to the page that
 *   carries `newStartPageToken`, the next cursor. Once nothing changed, that is ONE request
 *   however many objects the library holds (a listing costs a page per 1,000 per folder).
 * - a token Drive refuses (400 or 404 on changes.list: malformed, unknown, another drive's) → a
 *   fresh start token with `changed: true`, so the engine lists.
 * Throttling (429, 403 rateLimitExceeded) is RateLimited through the Drive API wrapper (errors.ts).
 *
 * What counts as a change: Drive's log is drive-wide (every file the account can see), so a
 * change counts when its file is in the library: its parent is the library folder, a top-level
 * folder the folder index knows, or a folder whose own parent is the library folder (looked up
 * once by id, then remembered; the layout is two levels deep, mapping.ts). A change of the library
 * folder itself (trashed, moved), one whose parents are not known (a removed file has no resource
 * left to tell them), or one whose parent cannot be read, counts: a false "changed" costs one listing, a missed one the watch's whole interval. A folder
 * that shows up in the log itself is looked up again (it may have moved).
 *
 * A page that already shows a change of ours is not followed to its end: the feed takes a fresh
 * start token instead (one request), so a backlog of thousands of changes costs two requests, not
 * one per page. Nothing is lost: what changed before that token, the engine lists; what changes
 * after, the next poll reports.
 */
import { StorageError, type ChangeFeed } from '@syncacross/sync-core';
import type { GdriveContext } from './context.js';
import type { ChangePage } from './drive-api.js';
import { httpStatus } from './errors.js';

type Change = ChangePage['changes'][number];

export function gdriveChangeFeed(ctx: GdriveContext): ChangeFeed {
  /** Folders outside the index, by id: whether each is a top-level folder of the library. */
  const folderIsOurs = new Map<string, boolean>();

  const parentIsOurs = async (parentId: string, root: string): Promise<boolean> => {
    if (parentId === root || ctx.folders.nameOf(parentId) !== undefined) return true;
    const known = folderIsOurs.get(parentId);
    if (known !== undefined) return known;
    const folder = await ctx.api.metadata(parentId);
    if (!folder) return true; // gone, trashed or hidden: cannot tell, so it counts
    const ours = folder.parents.includes(root);
    folderIsOurs.set(parentId, ours);
    return ours;
  };

  const anyOfOurs = async (changes: Change[]): Promise<boolean> => {
    for (const c of changes) folderIsOurs.delete(c.fileId); // a folder that changed may have moved
    const root = await ctx.folders.rootId();
    for (const c of changes) {
      // The library folder itself (trashed, moved) counts too: whatever a listing now says, it must be heard.
      if (c.removed || c.fileId === root || c.parents === undefined || c.parents.length === 0) return true;
      for (const parent of c.parents) if (await parentIsOurs(parent, root)) return true;
    }
    return false;
  };

  const catchUp = async (cursor: string): Promise<{ cursor: string; changed: boolean }> => {
    for (let token = cursor; ;) {
      const page = await ctx.api.changes(token);
      const changed = await anyOfOurs(page.changes);
      if (page.newStartPageToken !== undefined) return { cursor: page.newStartPageToken, changed };
      if (page.nextPageToken === undefined) throw new StorageError('Corrupt', 'gdrive: a changes.list page with neither nextPageToken nor newStartPageToken');
      if (changed) return { cursor: await ctx.api.startPageToken(), changed: true };
      token = page.nextPageToken;
    }
  };

  return {
    mode: 'poll',
    async next(cursor, signal) {
      signal?.throwIfAborted();
      if (cursor === undefined) return { cursor: await ctx.api.startPageToken(), changed: false };
      try {
        return await catchUp(cursor);
      } catch (e) {
        const status = httpStatus((e as Error).cause);
        if (status !== 400 && status !== 404) throw e;
        return { cursor: await ctx.api.startPageToken(), changed: true };
      }
    },
  };
}
