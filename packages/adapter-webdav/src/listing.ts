/**
 * Listing by walking collections with PROPFIND `Depth: 1`. Depth infinity is off by default in
 * Apache (`DavDepthInfinity`, https://www.oreilly.com/library/view/webmaster-in-a/0596003579/re570.html)
 * and in ownCloud (https://github.com/owncloud/core/pull/40016). Only collections that can hold keys under the
 * prefix (and after `startAfter`) are visited, in parallel within the concurrency cap: listing
 * `log/` with W writers costs 1 + W requests, `log/w1/` one.
 *
 * Any failed PROPFIND fails the whole listing. A 404 is a definite "no such collection" (deleted
 * or never created): it lists nothing there.
 */
import type { ObjectInfo } from '@syncacross/sync-core';
import { compareKeys, StorageError } from '@syncacross/sync-core';
import { errorFromStatus } from './errors.js';
import { classifyName, prefixCollections } from './names.js';
import { unquoteEtag } from './server-profile.js';
import { LISTING_ANSWER_LIMIT, parseMultistatus, type DavTransport, type MultistatusEntry } from './client.js';

interface Child {
  name: string;
  isCollection: boolean;
  size: number;
  etag?: string;
  modified?: Date;
}

/**
 * The PROPFIND body of a listing that needs no etags: names, kinds, sizes and times. With no body
 * (allprop) Apache with `FileETag Digest` reads every file whole to give its getetag: listing the
 * 37 packs of the benchmark library (780 MiB) took 5 s of the server's time, against milliseconds.
 */
const WITHOUT_ETAGS = Buffer.from('<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:"><D:prop><D:resourcetype/><D:getcontentlength/><D:getlastmodified/></D:prop></D:propfind>', 'utf8');

export async function walkListing(transport: DavTransport, prefix: string, startAfter: string | undefined, etags = true): Promise<ObjectInfo[]> {
  const found: ObjectInfo[] = [];
  // A prefix ending mid-segment (`p/a`) lists its parent collection (`p/`) and filters.
  const startDir = prefix.slice(0, prefix.lastIndexOf('/') + 1);
  const worthVisiting = (dir: string) => {
    if (!(dir.startsWith(prefix) || prefix.startsWith(dir))) return false;
    // Every key below `dir` sorts before startAfter unless startAfter itself lies below `dir`.
    return startAfter === undefined || startAfter.startsWith(dir) || compareKeys(dir, startAfter) > 0;
  };
  const wanted = (key: string) => key.startsWith(prefix) && (startAfter === undefined || compareKeys(key, startAfter) > 0);

  const visit = async (dir: string): Promise<void> => {
    const children = await listCollection(transport, prefixCollections(dir), etags);
    const subdirs: string[] = [];
    for (const child of children) {
      const meaning = classifyName(child.name, child.isCollection);
      if (!meaning) continue; // uploads in flight (`~tmp-…`) and files that are not ours
      if (meaning.kind === 'collection') {
        const sub = `${dir}${meaning.segment}/`;
        if (worthVisiting(sub)) subdirs.push(sub);
      } else {
        const key = dir + meaning.segment;
        if (!wanted(key)) continue;
        found.push({ key, size: child.size, ...(child.etag ? { etag: child.etag } : {}), ...(child.modified ? { modified: child.modified } : {}) });
      }
    }
    await Promise.all(subdirs.map(visit));
  };
  if (worthVisiting(startDir)) await visit(startDir);
  return found.sort((x, y) => compareKeys(x.key, y.key));
}

/** The members of one collection; [] when it does not exist. */
async function listCollection(transport: DavTransport, names: string[], etags: boolean): Promise<Child[]> {
  const url = transport.url(names, true);
  const headers = { Depth: '1', Accept: 'application/xml, text/xml' };
  const request = etags ? { headers } : { headers: { ...headers, 'Content-Type': 'application/xml; charset=utf-8' }, body: WITHOUT_ETAGS };
  const answer = await transport.request('PROPFIND', url, `list ${url}`, request);
  if (answer.status === 404) return [];
  if (answer.status !== 207) throw errorFromStatus(answer, `list ${url} (PROPFIND)`);
  // Read up to one byte past the limit (client.ts): a larger answer is refused, never cut to a shorter listing.
  if (answer.body.byteLength > LISTING_ANSWER_LIMIT)
    throw new StorageError('Unavailable', `list ${url}: the server's answer is larger than ${LISTING_ANSWER_LIMIT} bytes, more than any listing this adapter takes`);
  let entries: MultistatusEntry[];
  try {
    entries = await parseMultistatus(answer.body);
  } catch (error) {
    throw new StorageError('Unavailable', `list ${url}: unreadable PROPFIND answer (${String(error)})`, { cause: error });
  }
  const self = hrefPath(url);
  const children: Child[] = [];
  let sawSelf = false;
  for (const entry of entries) {
    const path = hrefPath(entry.href);
    if (path === self) {
      sawSelf = true;
      continue;
    }
    if (parentOf(path) !== self) continue; // a server answering deeper than asked: walked anyway
    if (entry.status !== undefined && entry.status !== 200) {
      throw new StorageError('Unavailable', `list ${url}: the server could not read ${entry.href} (HTTP ${entry.status})`);
    }
    children.push(toChild(path, entry.props ?? {}));
  }
  // Every answer to PROPFIND on a collection describes the collection itself. Without it the
  // hrefs are in some other namespace (a proxy rewriting paths?) and we cannot tell what is ours:
  // refusing beats reporting an empty library.
  if (!sawSelf)
    throw new StorageError(
      'Unavailable',
      `list ${url}: the PROPFIND answer does not describe the requested collection (hrefs ${JSON.stringify(entries.slice(0, 2).map((e) => e.href))}); is a proxy rewriting paths?`,
    );
  return children;
}

function toChild(path: string, props: Record<string, unknown>): Child {
  const rt = props.resourcetype;
  const isCollection = typeof rt === 'object' && rt !== null && 'collection' in rt;
  const size = Number(props.getcontentlength ?? 0);
  const etag = typeof props.getetag === 'string' && props.getetag !== '' ? unquoteEtag(props.getetag) : undefined;
  const modified = typeof props.getlastmodified === 'string' ? new Date(props.getlastmodified) : undefined;
  return {
    name: path.slice(path.lastIndexOf('/') + 1),
    isCollection,
    size: Number.isFinite(size) ? size : 0,
    ...(etag ? { etag } : {}),
    ...(modified && !Number.isNaN(modified.getTime()) ? { modified } : {}),
  };
}

/** Decoded path of an href (absolute URL or absolute path), without a trailing slash. */
function hrefPath(href: string): string {
  const path = href.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, '').split(/[?#]/)[0]!;
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    decoded = path;
  }
  return decoded.replace(/\/+$/, '') || '/';
}

const parentOf = (path: string) => path.slice(0, path.lastIndexOf('/')) || '/';
