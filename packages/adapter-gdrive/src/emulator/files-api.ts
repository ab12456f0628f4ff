/**
 * The Drive v3 `files` endpoints the adapter uses: list (q, fields, spaces, pageSize,
 * pageToken, incompleteSearch), get (metadata, or `alt=media` with `Range` → 206), create
 * (metadata only, e.g. folders), delete (204). Uploads live in uploads.ts.
 */
import { createHash } from 'node:crypto';
import { parseQuery, QuerySyntaxError, type ParsedQuery } from './query.js';
import { driveError, invalidParameter, json, notFound, realWorldErrors, selectFields } from './responses.js';
import { fileResource, FolderFull, ParentNotFound, type DriveStore, type Space, type NewFile, type StoredFile } from './store.js';

const DEFAULT_FILE_FIELDS = 'kind,id,name,mimeType';
const DEFAULT_LIST_FIELDS = 'kind,nextPageToken,incompleteSearch,files(kind,id,name,mimeType)';

export interface ListBehaviour {
  /** Answers this many upcoming listings with `incompleteSearch: true` (and a short page). */
  incompleteSearches: number;
  /** Real-world modes of searches (real-world.ts). */
  orOfParentsDrops?: 'some' | 'all';
  caseInsensitiveNameQueries?: boolean;
}

/**
 * Drive's OR-of-parents bug (real-world.ts, orOfParentsDrops): a search naming several parents
 * answers only the first parent's children ('some') or none ('all'), and says nothing about it.
 */
function dropOrOfParents(store: DriveStore, parsed: ParsedQuery, matches: StoredFile[], mode: ListBehaviour['orOfParentsDrops']): StoredFile[] {
  if (!mode || !parsed.parentBound || parsed.parentBound.size < 2) return matches;
  if (mode === 'all') return [];
  const first = store.resolveId(parsed.parentIds[0]!);
  return matches.filter((f) => f.parents.includes(first));
}

/** Page tokens are bound to their query so a token replayed with another query is refused. */
function pageToken(query: string, offset: number): string {
  return Buffer.from(JSON.stringify({ h: createHash('sha1').update(query).digest('hex').slice(0, 12), o: offset })).toString('base64url');
}
function readPageToken(token: string, query: string): number | undefined {
  try {
    const { h, o } = JSON.parse(Buffer.from(token, 'base64url').toString()) as { h: string; o: number };
    return h === createHash('sha1').update(query).digest('hex').slice(0, 12) && Number.isSafeInteger(o) && o >= 0 ? o : undefined;
  } catch {
    return undefined;
  }
}

export function listFiles(store: DriveStore, url: URL, behaviour: ListBehaviour): Response {
  const p = url.searchParams;
  const q = p.get('q') ?? '';
  let parsed;
  try {
    parsed = parseQuery(q, { caseInsensitiveNames: behaviour.caseInsensitiveNameQueries });
  } catch (e) {
    if (e instanceof QuerySyntaxError) return invalidParameter('q', `Invalid Value (${e.message})`);
    throw e;
  }
  // https://developers.google.com/drive/api/reference/rest/v3/files/list: pageSize 1-1000, default 100.
  const pageSize = p.has('pageSize') ? Number(p.get('pageSize')) : 100;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1000) return invalidParameter('pageSize');
  const spaces = new Set((p.get('spaces') ?? 'drive').split(',').map((s) => s.trim()));
  for (const s of spaces) if (s !== 'drive' && s !== 'appDataFolder') return invalidParameter('spaces');
  // Parent aliases (`root`, `appDataFolder`) match the real root ids they stand for.
  const aliases = parsed.parentIds.map((id) => [id, store.resolveId(id)] as const).filter(([alias, real]) => alias !== real);
  const withAliases = <F extends { parents: readonly string[] }>(f: F): F =>
    aliases.length === 0 ? f : { ...f, parents: [...f.parents, ...aliases.filter(([, real]) => f.parents.includes(real)).map(([alias]) => alias)] };
  const matches = dropOrOfParents(
    store,
    parsed,
    store.search((f) => parsed.predicate(withAliases(f)), spaces as Set<Space>, parsed.parentBound),
    behaviour.orOfParentsDrops,
  );
  const tokenKey = `${q}|${[...spaces].sort().join(',')}`;
  let offset = 0;
  const token = p.get('pageToken');
  if (token) {
    const o = readPageToken(token, tokenKey);
    if (o === undefined) return invalidParameter('pageToken', 'Invalid Value (page token)');
    offset = o;
  }
  let page = matches.slice(offset, offset + pageSize);
  const next = offset + pageSize < matches.length ? pageToken(tokenKey, offset + pageSize) : undefined;
  // Drive sets incompleteSearch when not every corpus could be searched; results may be missing.
  let incompleteSearch = false;
  if (behaviour.incompleteSearches > 0) {
    behaviour.incompleteSearches--;
    incompleteSearch = true;
    page = page.slice(0, Math.floor(page.length / 2));
  }
  const body = { kind: 'drive#fileList', nextPageToken: next, incompleteSearch, files: page.map(fileResource) };
  return json(selectFields(body, p.get('fields'), DEFAULT_LIST_FIELDS));
}

export function getFile(store: DriveStore, fileId: string, url: URL, request: Request): Response {
  const file = store.get(fileId);
  if (!file) return notFound(fileId);
  if (url.searchParams.get('alt') !== 'media') return json(selectFields(fileResource(file), url.searchParams.get('fields'), DEFAULT_FILE_FIELDS));
  if (!file.bytes) {
    return driveError(403, 'fileNotDownloadable', 'Only files with binary content can be downloaded.', { location: 'alt', locationType: 'parameter' });
  }
  const bytes = file.bytes;
  const range = request.headers.get('range');
  if (!range) return new Response(new Uint8Array(bytes), { status: 200, headers: { 'content-type': file.mimeType, 'content-length': String(bytes.byteLength) } });
  // RFC 9110 §14: a single bytes range; an end past the size is clamped; a start past it is 416.
  const m = /^bytes=(\d+)-(\d*)$/.exec(range.trim());
  if (!m) return new Response(new Uint8Array(bytes), { status: 200, headers: { 'content-type': file.mimeType } });
  const start = Number(m[1]);
  const end = m[2] === '' ? bytes.byteLength - 1 : Math.min(Number(m[2]), bytes.byteLength - 1);
  if (start >= bytes.byteLength || end < start) {
    return new Response(null, { status: 416, headers: { 'content-range': `bytes */${bytes.byteLength}` } });
  }
  return new Response(new Uint8Array(bytes.subarray(start, end + 1)), {
    status: 206,
    headers: { 'content-type': file.mimeType, 'content-range': `bytes ${start}-${end}/${bytes.byteLength}`, 'content-length': String(end - start + 1) },
  });
}

/** Creates a file from validated metadata; answers Drive's 404 for a missing parent. */
export function createFromMetadata(store: DriveStore, metadata: unknown, bytes: Buffer | undefined, fields: string | null, copies: number): Response {
  const m = (metadata ?? {}) as NewFile;
  if (m.parents !== undefined && (!Array.isArray(m.parents) || m.parents.some((x) => typeof x !== 'string'))) return invalidParameter('parents');
  if (m.name !== undefined && typeof m.name !== 'string') return invalidParameter('name');
  try {
    let created;
    // copies > 1 plays a create whose response was lost and that a client library retried.
    for (let i = 0; i < copies; i++) created = store.create({ name: m.name, mimeType: m.mimeType, parents: m.parents, bytes });
    return json(selectFields(fileResource(created!), fields, DEFAULT_FILE_FIELDS));
  } catch (e) {
    if (e instanceof ParentNotFound) return driveError(404, 'notFound', e.message, { location: 'fileId', locationType: 'parameter' });
    if (e instanceof FolderFull) return realWorldErrors.folderFull();
    throw e;
  }
}

/** files.delete; `permanentDeleteRefused` plays a shared-drive content manager (real-world.ts). */
export function deleteFile(store: DriveStore, fileId: string, permanentDeleteRefused: boolean): Response {
  const file = store.get(fileId);
  if (file && (file.ownedByOther || permanentDeleteRefused)) return realWorldErrors.insufficientFilePermissions(fileId);
  return store.delete(fileId) ? new Response(null, { status: 204 }) : notFound(fileId);
}

/** files.update (PATCH), metadata only: `trashed` and `name`, which is what clients use it for here. */
export function updateFile(store: DriveStore, fileId: string, metadata: unknown, fields: string | null): Response {
  const file = store.get(fileId);
  if (!file || file.parents.length === 0) return notFound(fileId);
  const m = (metadata ?? {}) as { trashed?: unknown; name?: unknown };
  if (m.trashed !== undefined && typeof m.trashed !== 'boolean') return invalidParameter('trashed');
  if (m.name !== undefined && typeof m.name !== 'string') return invalidParameter('name');
  if (file.ownedByOther) return realWorldErrors.insufficientFilePermissions(fileId);
  if (m.trashed !== undefined) file.trashed = m.trashed;
  if (m.name !== undefined) file.name = m.name;
  store.touch(file);
  return json(selectFields(fileResource(file), fields, DEFAULT_FILE_FIELDS));
}
