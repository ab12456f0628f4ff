/**
 * The WebDAV storage adapter.
 *
 * Objects are never written in place: the bytes go to a unique hidden name in the target's
 * collection (`~tmp-<random>`), then a MOVE renames them onto the key's name. nephele and
 * webdav-server write PUT bodies straight into the final file, so this is what keeps a reader
 * from ever seeing half an object, and a crashed upload leaves only a hidden temporary name.
 *
 * Where the probe measured the server's own PUT atomic (it renames a temporary of its own into
 * place, as Apache does) and `If-None-Match: *` honored, a create is that one PUT instead
 * (put.ts, probe-atomic-put.ts).
 *
 * Create-if-absent is otherwise that MOVE with `Overwrite: F` (RFC 4918 §10.6: 412 when the destination
 * exists), honored by all five servers we test; where a server ignores it (measured by the
 * probe) we look first (PROPFIND) and then MOVE. Either way the server checks and then renames:
 * a second *sequential* create answers `exists`, but two racing creates can both win, so
 * atomicCreate is never claimed.
 *
 * Compare-and-swap is the same MOVE with `Overwrite: T` and an `If` header tagged with the
 * destination's etag (RFC 4918 §10.4), offered only where the probe saw it refuse a stale etag
 * and accept the current one, with strong etags (Apache with `FileETag Digest`, nephele).
 *
 * The operations live in put.ts (writes) and read.ts (get, list); this file wires them to one
 * DavContext (context.ts).
 */
import type { Storage, StorageCapabilities } from '@syncacross/sync-core';
import { parseOptions } from '@syncacross/sync-core/adapter-kit';
import { registerSecret, registerSecretValues } from '@syncacross/sync-core';
import { Collections } from './collections.js';
import { objectUrl, ok, type DavContext } from './context.js';
import { errorFromStatus } from './errors.js';
import { optionsSchema, type ResolvedWebDavOptions, type WebDavOptions } from './options.js';
import { putIfAbsent, putIfMatch } from './put.js';
import { get, list } from './read.js';
import { probeServer, WEAKEST_PROFILE, type ServerProfile } from './server-profile.js';
import { DavTransport, effectiveStatus } from './client.js';

export interface WebDavStorage extends Storage {
  /** What the server was measured (or, with `probe: false`, assumed) to honor. */
  readonly serverProfile: ServerProfile;
}

/** `knownProfile`: a profile measured earlier for this server (see profile-cache.ts), to skip the probe. */
export async function createWebDavStorage(input: WebDavOptions, knownProfile?: ServerProfile): Promise<WebDavStorage> {
  const options = parseOptions('webdav', optionsSchema, input);
  registerSecret(options.password);
  registerSecret(options.bearerToken);
  registerSecretValues(options.headers);
  // The password also travels as Basic base64(user:password).
  if (options.password !== undefined) registerSecret(Buffer.from(`${options.username ?? ''}:${options.password}`).toString('base64'));
  const transport = new DavTransport(options);
  const collections = new Collections(transport);
  let profile = WEAKEST_PROFILE;
  if (options.probe && knownProfile?.measured) profile = knownProfile;
  else if (options.probe) {
    try {
      profile = await probeServer(transport, collections);
    } catch (error) {
      transport.close();
      throw error;
    }
  }
  return buildStorage(options, transport, collections, profile);
}

function buildStorage(options: ResolvedWebDavOptions, transport: DavTransport, collections: Collections, profile: ServerProfile): WebDavStorage {
  const compareAndSwap = profile.moveIfMatch && profile.strongEtags;
  const capabilities: StorageCapabilities = {
    atomicCreate: false,
    compareAndSwap,
    rangedGet: true,
    // A PROPFIND reads the server's own tree: what was just renamed into place is listed.
    consistentListing: true,
    delete: true,
    maxObjectSize: options.maxObjectSize,
    // Our names never depend on case (names.ts), whatever the file system behind the server does.
    caseInsensitiveNames: false,
    sortedListing: true,
  };
  const display = options.name ?? `webdav:${options.url.replace(/\/+$/, '')}${options.root ? `/${options.root.replace(/^\/+/, '')}` : ''}`;
  const ctx: DavContext = { transport, collections, profile, display, maxObjectSize: options.maxObjectSize };
  const storage: WebDavStorage = {
    name: display,
    capabilities,
    serverProfile: profile,
    putIfAbsent: (key, bytes) => putIfAbsent(ctx, key, bytes),
    get: (key, opts) => get(ctx, key, opts),
    list: (prefix, opts) => list(ctx, prefix, opts),
    delete: (key) => deleteObject(ctx, key),
    close: async () => transport.close(),
  };
  if (compareAndSwap) storage.putIfMatch = (key, bytes, etag) => putIfMatch(ctx, key, bytes, etag);
  return storage;
}

async function deleteObject(ctx: DavContext, key: string): Promise<void> {
  const { url } = objectUrl(ctx, key);
  const answer = await ctx.transport.request('DELETE', url, `delete ${key}`);
  const status = await effectiveStatus(answer);
  if (ok(status) || status === 404) return;
  throw errorFromStatus({ status, headers: answer.headers }, `delete ${key} (DELETE)`);
}
