/**
 * The storage's change feed (the contract's `ChangeFeed`, mode 'poll') as a Graph delta query on
 * the library folder (https://learn.microsoft.com/graph/api/driveitem-delta):
 * - without a cursor, `GET …/delta?token=latest` answers no items and an `@odata.deltaLink` for
 *   "now" (the doc's example 3): that link, made relative, is the cursor;
 * - with one, GET the deltaLink: the items changed since, page by page (`@odata.nextLink`) up to a
 *   new deltaLink. Once nothing changed, that is ONE request however many objects the library
 *   holds (a listing costs a page per 200 items per folder).
 * - 410 Gone (`resyncRequired`, `resyncChangesApplyDifferences`, …: the token expired or the
 *   service reset), or a cursor that is no deltaLink → a fresh `token=latest` cursor with
 *   `changed: true`, so the engine lists.
 * Throttling (429/503 with Retry-After, 509) is RateLimited through the transport (errors.ts).
 *
 * What counts as a change: any item other than the folder the delta is on (and the drive root).
 * Graph returns the parents of changed items too, so the library folder shows up whenever
 * anything under it changes, and on its own when only its own metadata did: it tells nothing the
 * item beside it does not. Every other item counts, folders included (a new `log/<writer>/`
 * precedes its segments), and deletions too: a false "changed" costs one listing, a missed one
 * the watch's whole interval.
 *
 * A page that already shows a change is not followed to its end: the feed asks `token=latest`
 * instead (one request), so a backlog of thousands of changes after a laptop slept costs two
 * requests, not one per page. Nothing is lost: whatever changed before that token, the engine
 * lists; whatever changes after, the next poll reports.
 *
 * OneDrive for Business and SharePoint answer 501 notSupported to delta on any folder but the
 * drive root ("view.delta can only be called on the root.",
 * https://github.com/OneDrive/onedrive-api-docs/issues/842). The feed then watches the drive
 * root's delta instead: still one request per poll, but it also reports changes elsewhere in the
 * drive (false alarms, each costing a listing), since delta items carry no path to filter by.
 */
import { isStorageError, StorageError, type ChangeFeed } from '@syncacross/sync-core';
import { where, type FolderLocation, type OneDriveContext } from './context.js';
import { httpStatusOf } from './errors.js';

interface DeltaPage {
  value: { id: string; root?: unknown }[];
  '@odata.nextLink'?: string;
  '@odata.deltaLink'?: string;
}

type FeedAnswer = { cursor: string; changed: boolean };

const deltaPage = (ctx: OneDriveContext, link: string): Promise<DeltaPage> => ctx.t.run('delta', (c) => c.api(link).get());

/** Follows a deltaLink's pages to the next deltaLink, or to the first change (then `latest` gives the cursor). */
async function catchUp(ctx: OneDriveContext, loc: FolderLocation, cursor: string, latest: () => Promise<string>): Promise<FeedAnswer> {
  const counts = (item: DeltaPage['value'][number]) => item.id !== loc.folderId && item.root === undefined;
  for (let link = cursor; ;) {
    const p = await deltaPage(ctx, link);
    const changed = p.value.some(counts);
    const deltaLink = p['@odata.deltaLink'];
    if (deltaLink !== undefined) return { cursor: ctx.t.relative(deltaLink), changed };
    const nextLink = p['@odata.nextLink'];
    if (nextLink === undefined) throw new StorageError('Corrupt', `${ctx.config.name}: a delta page with neither @odata.nextLink nor @odata.deltaLink`);
    if (changed) return { cursor: await latest(), changed: true };
    link = ctx.t.relative(nextLink);
  }
}

export function oneDriveChangeFeed(ctx: OneDriveContext): ChangeFeed {
  /** Where delta is asked: the library folder, or the drive root where folders have none. */
  let scope: 'folder' | 'root' | undefined;
  const query = `?$select=id,root&$top=${ctx.config.pageSize}`;

  const latestAt = async (url: string): Promise<string> => {
    const link = (await deltaPage(ctx, url))['@odata.deltaLink'];
    if (link === undefined) throw new StorageError('Corrupt', `${ctx.config.name}: delta?token=latest answered no @odata.deltaLink`);
    return ctx.t.relative(link);
  };

  const latest = async (loc: FolderLocation): Promise<string> => {
    if (scope !== 'root') {
      try {
        const cursor = await latestAt(`${loc.basePath}/delta${query}&token=latest`);
        scope = 'folder';
        return cursor;
      } catch (e) {
        if (!(isStorageError(e, 'NotSupported') || httpStatusOf(e) === 501)) throw e;
        scope = 'root';
        ctx.config.log?.(`${ctx.config.name}: this drive has no delta on folders (OneDrive for Business, SharePoint): watching the drive root's, which also tells of changes elsewhere in the drive`);
      }
    }
    return latestAt(`${loc.drivePath}/root/delta${query}&token=latest`);
  };

  return {
    mode: 'poll',
    async next(cursor, signal) {
      signal?.throwIfAborted();
      const loc = await where(ctx);
      if (cursor === undefined) return { cursor: await latest(loc), changed: false };
      // A deltaLink is a Graph path with `/delta` in it (`…/delta?token=…` or `…/delta(token='…')`,
      // and not always under the drive path we use): anything else is a cursor we cannot honour.
      if (!cursor.startsWith('/') || !cursor.includes('/delta')) return { cursor: await latest(loc), changed: true };
      try {
        return await catchUp(ctx, loc, cursor, () => latest(loc));
      } catch (e) {
        // 410: the token expired or the service reset; 404: the link names what is not there (another
        // drive's). Either way start afresh; if the library folder itself is gone, `latest` says so.
        const status = httpStatusOf(e);
        if (status !== 410 && status !== 404) throw e;
        return { cursor: await latest(loc), changed: true };
      }
    },
  };
}
