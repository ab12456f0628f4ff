/** Response helpers shaped like Graph's: JSON bodies and `{"error":{"code","message"}}` errors. */
import type { DriveItemState, DriveState } from './drive-state.js';

export const json = (body: unknown, status = 200, headers: Record<string, string> = {}) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

/** Graph error body: https://learn.microsoft.com/graph/errors ("Error resource type"); a detailed code (e.g. `pathIsTooLong`) goes in innerError. */
export const graphError = (status: number, code: string, message: string, detailCode?: string) =>
  json({ error: { code, message, innerError: { ...(detailCode ? { code: detailCode } : {}), date: new Date().toISOString().slice(0, 19), 'request-id': crypto.randomUUID() } } }, status);

export const eTagOf = (item: DriveItemState) => `"{${item.id}},${item.version}"`;
export const cTagOf = (item: DriveItemState) => `"c:{${item.id}},${item.contentVersion}"`;

/** Strips quotes so `"{x},1"`, `{x},1` and W/ forms compare equal. */
export const bareTag = (tag: string) =>
  tag
    .trim()
    .replace(/^W\//, '')
    .replace(/^"(.*)"$/, '$1');

export function driveItemJson(drive: DriveState, item: DriveItemState, origin: string): Record<string, unknown> {
  const body: Record<string, unknown> = {
    id: item.id,
    name: item.name,
    eTag: eTagOf(item),
    cTag: cTagOf(item),
    size: item.isFolder ? 0 : item.content.byteLength,
    createdDateTime: item.created.toISOString(),
    lastModifiedDateTime: item.modified.toISOString(),
  };
  if (item.parentId !== undefined) {
    body.parentReference = { driveId: drive.id, driveType: drive.driveType, id: item.parentId, path: item.deleted ? undefined : drive.pathOf(item.parentId) };
  } else {
    body.root = {};
    body.parentReference = { driveId: drive.id, driveType: drive.driveType };
  }
  if (item.deleted) body.deleted = { state: 'deleted' };
  else if (item.isFolder) body.folder = { childCount: drive.childrenOf(item.id).length };
  else {
    body.file = { mimeType: 'application/octet-stream' };
    body['@microsoft.graph.downloadUrl'] = downloadUrl(origin, drive, item);
  }
  return body;
}

const downloadUrl = (origin: string, drive: DriveState, item: DriveItemState) => `${origin}/_download/${encodeURIComponent(drive.id)}/${item.id}?v=${item.contentVersion}`;
