/**
 * Parses Graph drive URLs: `/me/drive`, `/drive`, `/drives/{id}`, `/sites/{id}/drive`, then an
 * item (`/root`, `/special/approot`, `/items/{id}`), an optional path (`:/a/b:`) and an optional
 * action (`/content`, `/children`, `/createUploadSession`, `/delta`).
 * https://learn.microsoft.com/graph/onedrive-addressing-driveitems
 */
export interface GraphPath {
  drive: { kind: 'me' } | { kind: 'id'; id: string } | { kind: 'site'; siteId: string };
  base: { kind: 'drive' } | { kind: 'root' } | { kind: 'approot' } | { kind: 'item'; id: string };
  /** Decoded path segments after the base, when addressed by path. */
  segments: string[];
  action: '' | 'content' | 'children' | 'createUploadSession' | 'delta';
}

const DRIVE = /^(\/me\/drive(?=\/|$)|\/drives\/[^/:]+|\/drive(?=\/|$)|\/sites\/[^/:]+\/drive(?=\/|$))(.*)$/;
const ITEM = /^(?:\/(root|special\/approot|items\/[^/:]+))?(?::(\/[^:]*):?)?(?:\/(content|children|createUploadSession|delta))?$/;

export function parseGraphPath(pathname: string): GraphPath | undefined {
  const d = DRIVE.exec(pathname);
  if (!d) return undefined;
  const [, drivePart, rest] = d as unknown as [string, string, string];
  let drive: GraphPath['drive'];
  if (drivePart === '/me/drive' || drivePart === '/drive') drive = { kind: 'me' };
  else if (drivePart.startsWith('/drives/')) drive = { kind: 'id', id: decodeURIComponent(drivePart.slice('/drives/'.length)) };
  else drive = { kind: 'site', siteId: decodeURIComponent(drivePart.split('/')[2]!) };
  const m = ITEM.exec(rest);
  if (!m) return undefined;
  const [, itemPart, pathPart, action] = m;
  let base: GraphPath['base'];
  if (itemPart === undefined) base = { kind: 'drive' };
  else if (itemPart === 'root') base = { kind: 'root' };
  else if (itemPart === 'special/approot') base = { kind: 'approot' };
  else base = { kind: 'item', id: decodeURIComponent(itemPart.slice('items/'.length)) };
  if (base.kind === 'drive' && (pathPart !== undefined || action !== undefined)) return undefined;
  const segments =
    pathPart === undefined
      ? []
      : pathPart
          .split('/')
          .filter((s) => s !== '')
          .map((s) => decodeURIComponent(s));
  return { drive, base, segments, action: (action ?? '') as GraphPath['action'] };
}
