/**
 * The Drive v3 `changes` endpoints (https://developers.google.com/drive/api/reference/rest/v3/changes,
 * guide: https://developers.google.com/drive/api/guides/manage-changes):
 * - `GET /drive/v3/changes/startPageToken` → `{startPageToken}`: the change log's position now;
 * - `GET /drive/v3/changes?pageToken=…` → the changes from that position, `pageSize` (1-1000,
 *   default 100) at a time, with `nextPageToken` while more follow and `newStartPageToken` on the
 *   last page (the token for changes to come). Each change names its `fileId`, says `removed`
 *   (deleted for good; a trashed file is a change with `file.trashed`), and carries the file's
 *   current resource when it still exists; `fields` selects as everywhere; `spaces` (default
 *   `drive`) and `includeRemoved` (default true) filter.
 * The log is the store's (store.ts): every create, update and delete appends to it. A token is a
 * 1-based position in it (plus `changeTokenBase`); one the emulator never issued, or issued before
 * DriveEmulator.expireChangeTokens, answers 400 invalid `pageToken`.
 */
import { invalidParameter, json, selectFields, driveError } from './responses.js';
import { fileResource, type DriveStore, type Space } from './store.js';

const DEFAULT_FIELDS = 'kind,nextPageToken,newStartPageToken,changes(kind,changeType,fileId,removed,time,file(kind,id,name,mimeType))';

const tokenAt = (store: DriveStore, position: number) => String(store.changeTokenBase + position);

export function startPageToken(store: DriveStore): Response {
  return json({ kind: 'drive#startPageToken', startPageToken: tokenAt(store, store.changeLog.length + 1) });
}

export function listChanges(store: DriveStore, url: URL): Response {
  const p = url.searchParams;
  const token = p.get('pageToken');
  if (token === null) return driveError(400, 'required', 'Required parameter: pageToken', { location: 'pageToken', locationType: 'parameter' });
  const position = /^[1-9]\d*$/.test(token) ? Number(token) - store.changeTokenBase : NaN;
  if (!Number.isSafeInteger(position) || position > store.changeLog.length + 1 || position < 1) {
    return invalidParameter('pageToken', 'Invalid Value (page token)');
  }
  const pageSize = p.has('pageSize') ? Number(p.get('pageSize')) : 100;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1000) return invalidParameter('pageSize');
  const spaces = new Set((p.get('spaces') ?? 'drive').split(',').map((s) => s.trim()));
  for (const s of spaces) if (s !== 'drive' && s !== 'appDataFolder') return invalidParameter('spaces');
  const includeRemoved = p.get('includeRemoved') !== 'false';
  const changes: Record<string, unknown>[] = [];
  let next = position - 1; // index into the log
  for (; next < store.changeLog.length && changes.length < pageSize; next++) {
    const entry = store.changeLog[next]!;
    if (!spaces.has(entry.space as Space)) continue;
    // Like Drive, a change shows the file as it is now: gone since means removed.
    const file = store.get(entry.fileId);
    const removed = entry.removed || file === undefined;
    if (removed && !includeRemoved) continue;
    changes.push({ kind: 'drive#change', changeType: 'file', fileId: entry.fileId, removed, time: entry.time, ...(removed ? {} : { file: fileResource(file!) }) });
  }
  const more = next < store.changeLog.length;
  const body = {
    kind: 'drive#changeList',
    ...(more ? { nextPageToken: tokenAt(store, next + 1) } : { newStartPageToken: tokenAt(store, store.changeLog.length + 1) }),
    changes,
  };
  return json(selectFields(body, p.get('fields'), DEFAULT_FIELDS));
}
