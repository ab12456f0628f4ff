/**
 * Lists keys under a prefix by walking `/children` of the folders the prefix can reach, following
 * `@odata.nextLink` until a page comes without one
 * (https://learn.microsoft.com/graph/api/driveitem-list-children; paging:
 * https://learn.microsoft.com/graph/paging). Any failed page fails the whole listing: a short
 * answer would read as "deleted".
 *
 * A prefix may end mid-segment (`p/a` covers `p/a`, `p/ab`, `p/abc/d`): we list the folder `p`
 * and keep the children whose decoded name starts with `a`. Subtrees that sort entirely before
 * `startAfter` are not walked.
 */
import { compareKeys, type ObjectInfo } from '@syncacross/sync-core';
import { ConcurrencyLimiter } from '@syncacross/sync-core/adapter-kit';
import type { GraphTransport } from './client.js';
import { httpStatusOf } from './errors.js';
import type { OneDriveNames } from './names.js';
import type { DriveItemJson } from './upload-session.js';

export interface ListContext {
  t: GraphTransport;
  /** `/drives/{driveId}` */
  drivePath: string;
  /** `/drives/{driveId}/items/{folderId}`: the library's folder. */
  basePath: string;
  pageSize: number;
  concurrency: number;
  names: OneDriveNames;
}

const SELECT = 'id,name,size,eTag,lastModifiedDateTime,file,folder';

export const stripQuotes = (tag: string) => tag.replace(/^W\//, '').replace(/^"(.*)"$/, '$1');

async function childrenOf(ctx: ListContext, url: string): Promise<DriveItemJson[] | undefined> {
  const out: DriveItemJson[] = [];
  let next: string | undefined = `${url}?$top=${ctx.pageSize}&$select=${SELECT}`;
  for (let first = true; next !== undefined; first = false) {
    const link: string = next;
    let page: { value: DriveItemJson[]; '@odata.nextLink'?: string };
    try {
      page = await ctx.t.run(`list ${url}`, (c) => c.api(link).get());
    } catch (e) {
      if (first && httpStatusOf(e) === 404) return undefined; // the folder does not exist: nothing under it
      throw e;
    }
    out.push(...page.value);
    next = page['@odata.nextLink'] === undefined ? undefined : ctx.t.relative(page['@odata.nextLink']);
  }
  return out;
}

export async function listKeys(ctx: ListContext, prefix: string, startAfter: string | undefined): Promise<ObjectInfo[]> {
  const cut = prefix.lastIndexOf('/') + 1;
  const dir = prefix.slice(0, cut); // '' or ends with '/'
  const namePrefix = prefix.slice(cut);
  const found: ObjectInfo[] = [];
  const limiter = new ConcurrencyLimiter(ctx.concurrency);

  const skipSubtree = (keyPrefix: string) => startAfter !== undefined && !startAfter.startsWith(keyPrefix) && compareKeys(keyPrefix, startAfter) < 0;

  const walk = async (url: string, keyDir: string, filter: string): Promise<void> => {
    const children = await limiter.run(() => childrenOf(ctx, url));
    if (!children) return;
    const subfolders: Promise<void>[] = [];
    for (const child of children) {
      const segment = ctx.names.parseChildName(child.name, child.folder !== undefined);
      if (segment === undefined || !segment.startsWith(filter)) continue;
      if (child.folder !== undefined) {
        const keyPrefix = `${keyDir}${segment}/`;
        if (!skipSubtree(keyPrefix)) subfolders.push(walk(`${ctx.drivePath}/items/${child.id}/children`, keyPrefix, ''));
      } else {
        const info: ObjectInfo = { key: keyDir + segment, size: child.size ?? 0 };
        if (child.eTag) info.etag = stripQuotes(child.eTag);
        if (child.lastModifiedDateTime) info.modified = new Date(child.lastModifiedDateTime);
        found.push(info);
      }
    }
    await Promise.all(subfolders);
  };

  const dirPath = ctx.names.dirToPath(dir.slice(0, -1));
  await walk(dirPath === '' ? `${ctx.basePath}/children` : `${ctx.basePath}:/${dirPath}:/children`, dir, namePrefix);
  return found.filter((o) => startAfter === undefined || compareKeys(o.key, startAfter) > 0).sort((a, b) => compareKeys(a.key, b.key));
}
