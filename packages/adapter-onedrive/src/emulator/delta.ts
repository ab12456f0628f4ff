/**
 * `GET …/delta` on a drive item, as Graph serves it (https://learn.microsoft.com/graph/api/driveitem-delta):
 * - no `token`: the whole subtree, page by page, ending with an `@odata.deltaLink`;
 * - `token=latest`: no items, just a deltaLink for "now" (the doc's example 3);
 * - a token from a deltaLink: what changed since, with the `deleted` facet for deletions, and the
 *   parents of each changed item up to the folder the delta is on (Graph's default; the
 *   `deltaExcludeParent` request header leaves them out);
 * - a token the drive cannot honour (expired, or never issued) → 410 Gone `resyncRequired` with
 *   a `Location` to restart the enumeration from scratch.
 * OneDrive for Business and SharePoint only support delta on the drive root: with `rootOnly`, a
 * folder's delta answers 501 `notSupported` "view.delta can only be called on the root."
 * (https://github.com/OneDrive/onedrive-api-docs/issues/842).
 *
 * Tokens are the drive's change sequence number; pages walk the sequence up to a snapshot taken on
 * the first page (`upTo`), so an item changed while paging shows up in the next delta, never twice
 * in a gap.
 */
import type { DriveItemState, DriveState } from './drive-state.js';
import { driveItemJson, graphError, json } from './responses.js';

export interface DeltaRequest {
  url: URL;
  origin: string;
  drive: DriveState;
  folder: DriveItemState;
  pageSize: number;
  excludeParents: boolean;
  rootOnly: boolean;
}

const encodeToken = (seq: number) => Buffer.from(String(seq)).toString('base64url');

function deltaLink(url: URL, seq: number): string {
  const link = new URL(url);
  for (const k of ['upTo', '$skiptoken']) link.searchParams.delete(k);
  link.searchParams.set('token', encodeToken(seq));
  return link.toString();
}

/** The token's sequence number, or undefined when the drive cannot honour it. */
function sinceOf(token: string, drive: DriveState): number | undefined {
  const since = Number(Buffer.from(token, 'base64url').toString('utf8'));
  if (!Number.isSafeInteger(since) || since < drive.oldestValidDeltaSeq || since > drive.currentSeq) return undefined;
  return since;
}

/** The live ancestors of `item` inside the delta's folder (that folder included), outermost first. */
function parentsWithin(drive: DriveState, item: DriveItemState, folderId: string): DriveItemState[] {
  const ancestors = item.deleted ? (item.ancestorsAtDeletion ?? []) : drive.ancestors(item.id);
  const stop = ancestors.indexOf(folderId);
  if (stop < 0) return [];
  return ancestors
    .slice(0, stop + 1)
    .reverse()
    .map((id) => drive.live(id))
    .filter((i): i is DriveItemState => i !== undefined);
}

export function serveDelta(r: DeltaRequest): Response {
  const { url, drive, folder } = r;
  if (r.rootOnly && drive.business && folder.id !== drive.rootId) {
    return graphError(501, 'notSupported', 'view.delta can only be called on the root.');
  }
  const token = url.searchParams.get('token');
  if (token === 'latest') return json({ value: [], '@odata.deltaLink': deltaLink(url, drive.currentSeq) });
  const since = token === null ? -1 : sinceOf(token, drive);
  if (since === undefined) {
    const restart = new URL(url);
    for (const k of ['token', 'upTo', '$skiptoken']) restart.searchParams.delete(k);
    const gone = graphError(410, 'resyncRequired', 'The delta token is no longer valid: restart the enumeration without a token');
    gone.headers.set('location', restart.toString());
    return gone;
  }
  const upTo = Number(url.searchParams.get('upTo') ?? drive.currentSeq);
  const after = Number(url.searchParams.get('$skiptoken') ?? since);
  const changed = [...drive.items.values()].filter((i) => i.seq > after && i.seq <= upTo && drive.isInSubtree(i, folder.id) && (token !== null || !i.deleted)).sort((a, b) => a.seq - b.seq);
  // Parents count toward the page size, as items do; each page carries at least one change.
  const page: DriveItemState[] = [];
  const shown = new Set<string>();
  let lastSeq = after;
  for (const item of changed) {
    const parents = r.excludeParents ? [] : parentsWithin(drive, item, folder.id).filter((p) => !shown.has(p.id));
    if (page.length > 0 && page.length + parents.length + 1 > r.pageSize) break;
    for (const p of [...parents, item]) {
      if (shown.has(p.id)) continue; // a folder already shown as a parent on this page
      shown.add(p.id);
      page.push(p);
    }
    lastSeq = item.seq;
  }
  const body: Record<string, unknown> = { value: page.map((i) => driveItemJson(drive, i, r.origin)) };
  if (changed.some((i) => i.seq > lastSeq)) {
    const next = new URL(url);
    next.searchParams.set('upTo', String(upTo));
    next.searchParams.set('$skiptoken', String(lastSeq));
    body['@odata.nextLink'] = next.toString();
  } else {
    body['@odata.deltaLink'] = deltaLink(url, upTo);
  }
  return json(body);
}
