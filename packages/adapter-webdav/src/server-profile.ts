/**
 * What a WebDAV server really honors, measured once when the storage is created, in the root
 * collection, on hidden `~tmp-probe-…` names (deleted afterwards).
 *
 * Measured on this project's servers (see README.md):
 * | server                | If-None-Match on PUT | MOVE `Overwrite: F` | `If: <dest> (["etag"])` on MOVE |
 * | Apache 2.4 mod_dav_fs | honored              | honored (412)       | honored                         |
 * | nephele               | honored              | honored (207→412)   | honored                         |
 * | nginx + dav-ext       | ignored              | honored (412)       | ignored                         |
 * | rclone serve webdav   | ignored              | honored (412)       | refuses even a current etag     |
 * | webdav-server (npm)   | ignored              | honored (412)       | ignored                         |
 * Every server here checks and then writes or renames: none of this is atomic under races.
 * Of the two that honor If-None-Match, only Apache also writes PUT bodies beside the target and
 * renames them (`atomicPut`, probe-atomic-put.ts): there a create is one PUT.
 * `Overwrite: F` → 412 is RFC 4918 §10.6 (also
 * https://learn.microsoft.com/en-us/previous-versions/office/developer/exchange-server-2007/aa565644(v=exchg.80)).
 */
import { randomBytes } from 'node:crypto';
import { StorageError } from '@syncacross/sync-core';
import { INTERNAL_PREFIX } from './names.js';
import { probeAtomicPut } from './probe-atomic-put.js';
import type { Collections } from './collections.js';
import { effectiveStatus, parseMultistatus, type DavTransport } from './client.js';

/** What a WebDAV server was found to honor (measured at creation unless `probe: false`); the adapter's capabilities follow from it. */
export interface ServerProfile {
  /** `PUT` with `If-None-Match: *` refuses an existing resource. */
  ifNoneMatch: boolean;
  /** `MOVE` with `Overwrite: F` refuses an existing destination: the create-if-absent check. */
  moveNoOverwrite: boolean;
  /** ETags are listed by PROPFIND and strong (a weak one can never satisfy If-Match). */
  strongEtags: boolean;
  /** `MOVE` with an `If` header tagged with the destination's etag replaces only on a match. */
  moveIfMatch: boolean;
  /**
   * `PUT` shows nothing under its name until the body is whole, and an interrupted one leaves
   * nothing (measured only where `ifNoneMatch`). With both, putIfAbsent is a single PUT.
   */
  atomicPut: boolean;
  /** False when the profile was assumed (`probe: false`) rather than measured. */
  measured: boolean;
}

/** What we assume without a probe: the weakest server that still supports MOVE. */
export const WEAKEST_PROFILE: ServerProfile = { ifNoneMatch: false, moveNoOverwrite: false, strongEtags: false, moveIfMatch: false, atomicPut: false, measured: false };

const ok = (status: number) => status >= 200 && status < 300;

export async function probeServer(transport: DavTransport, collections: Collections): Promise<ServerProfile> {
  await collections.ensure([]);
  const tag = randomBytes(6).toString('hex');
  const a = transport.url([`${INTERNAL_PREFIX}probe-${tag}-a`]);
  const b = transport.url([`${INTERNAL_PREFIX}probe-${tag}-b`]);
  const c = transport.url([`${INTERNAL_PREFIX}probe-${tag}-c`]);
  const put = (url: string, text: string, headers: Record<string, string> = {}) =>
    transport.request('PUT', url, 'capability probe', { body: Buffer.from(text), headers: { 'Content-Type': 'application/octet-stream', ...headers } });
  const move = async (headers: Record<string, string>) => effectiveStatus(await transport.request('MOVE', b, 'capability probe', { headers: { Destination: a, ...headers } }));
  try {
    const first = await put(a, 'v1');
    if (!ok(first.status)) throw new StorageError(first.status === 401 || first.status === 403 ? 'AuthFailed' : 'Unavailable', `capability probe: PUT answered HTTP ${first.status}`);

    const ifNoneMatch = (await put(a, 'v2', { 'If-None-Match': '*' })).status === 412;

    await put(b, 'b');
    const refused = await move({ Overwrite: 'F' });
    if (refused === 405 || refused === 501) {
      throw new StorageError('NotSupported', 'this WebDAV server does not allow MOVE, which the adapter needs to publish objects whole (upload under a temporary name, then rename)');
    }
    const moveNoOverwrite = refused === 412;

    const etag = await currentEtag(transport, a);
    const strongEtags = etag !== undefined && !etag.startsWith('W/');
    let moveIfMatch = false;
    if (strongEtags) {
      await put(b, 'stale');
      const stale = await move({ Overwrite: 'T', If: `<${a}> (["stale-${tag}"])` });
      await put(b, 'current');
      const current = stale === 412 ? await move({ Overwrite: 'T', If: `<${a}> (["${etag}"])` }) : 0;
      moveIfMatch = stale === 412 && ok(current);
    }
    const atomicPut = ifNoneMatch && (await probeAtomicPut(transport, c));
    return { ifNoneMatch, moveNoOverwrite, strongEtags, moveIfMatch, atomicPut, measured: true };
  } finally {
    await Promise.all([a, b, c].map((url) => transport.request('DELETE', url, 'capability probe clean-up').catch(() => undefined)));
  }
}

/** The etag PROPFIND reports for one resource, without quotes (`W/` kept), or undefined. */
async function currentEtag(transport: DavTransport, url: string): Promise<string | undefined> {
  const answer = await transport.request('PROPFIND', url, 'read etag', { headers: { Depth: '0' } });
  if (answer.status !== 207) return undefined;
  const raw = (await parseMultistatus(answer.body))[0]?.props?.getetag;
  return typeof raw === 'string' && raw !== '' ? unquoteEtag(raw) : undefined;
}

/**
 * `"abc"` → `abc`, `W/"abc"` → `W/abc`. nephele (and seafdav: https://github.com/haiwen/seafdav/issues/82)
 * list etags unquoted, against RFC 4918; they come through unchanged.
 */
export function unquoteEtag(raw: string): string {
  const weak = raw.startsWith('W/');
  const inner = (weak ? raw.slice(2) : raw).replace(/^"(.*)"$/, '$1');
  return weak ? `W/${inner}` : inner;
}

/** The contract's etag (no quotes) back as an HTTP entity tag. */
export function quoteEtag(etag: string): string {
  return etag.startsWith('W/') ? `W/"${etag.slice(2)}"` : `"${etag}"`;
}
