/**
 * The WebDAV storage adapter.
 *
 * Objects are never written in place: the bytes go to a unique hidden name in the target's
 * collection (`~tmp-<random>`), then a MOVE renames them onto the key's name. nephele and
 * webdav-server write PUT bodies straight into the final file, so this is what keeps a reader
 * from ever seeing half an object, and a crashed upload leaves only a hidden temporary name.
 *
 * Create-if-absent is that MOVE with `Overwrite: F` (RFC 4918 §10.6: 412 when the destination
 * exists), honored by all five servers we test; where a server ignores it (measured by the
 * probe) we look first (PROPFIND) and then MOVE. Either way the server checks and then renames:
 * a second *sequential* create answers `exists`, but two racing creates can both win, so
 * atomicCreate is never claimed.
 *
 * Compare-and-swap is the same MOVE with `Overwrite: T` and an `If` header tagged with the
 * destination's etag (RFC 4918 §10.4), offered only where the probe saw it refuse a stale etag
 * and accept the current one, with strong etags (Apache with `FileETag Digest`, nephele).
 */
import { randomBytes } from 'node:crypto';
import type { ByteRange, ListOptions, ListPage, PutResult, Storage, StorageCapabilities } from '@syncacross/sync-core';
import { parseOptions } from '@syncacross/sync-core/adapter-kit';
import { isStorageError, registerSecret, registerSecretValues, StorageError } from '@syncacross/sync-core';
import { Collections } from './collections.js';
import { errorFromStatus } from './errors.js';
import { walkListing } from './listing.js';
import { INTERNAL_PREFIX, keyPath } from './names.js';
import { optionsSchema, type ResolvedWebDavOptions, type WebDavOptions } from './options.js';
import { probeServer, quoteEtag, WEAKEST_PROFILE, type ServerProfile } from './server-profile.js';
import { DavTransport, effectiveStatus } from './transport.js';

export interface WebDavStorage extends Storage {
  /** What the server was measured (or, with `probe: false`, assumed) to honor. */
  readonly serverProfile: ServerProfile;
}

const ok = (status: number) => status >= 200 && status < 300;

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
  const objectUrl = (key: string) => {
    const path = keyPath(key);
    return { path, url: transport.url([...path.collections, path.name]) };
  };

  /** Uploads `bytes` under a fresh hidden name next to the target; returns its URL. */
  async function uploadTemp(dir: string[], bytes: Uint8Array, what: string): Promise<string> {
    await collections.ensure(dir);
    const temp = transport.url([...dir, `${INTERNAL_PREFIX}${randomBytes(8).toString('hex')}`]);
    for (let attempt = 0; ; attempt++) {
      let answer;
      try {
        answer = await transport.request('PUT', temp, what, { body: bytes, headers: { 'Content-Type': 'application/octet-stream' } });
      } catch (error) {
        await removeQuietly(temp); // a half-written temporary, if the server kept one
        throw error;
      }
      if (ok(answer.status)) return temp;
      // The collection was there when we cached it but is gone now (409; rclone 404; nginx 500).
      if (attempt === 0 && [404, 409, 500].includes(answer.status)) {
        collections.forget(dir);
        await collections.ensure(dir);
        continue;
      }
      throw errorFromStatus(answer, `${what} (PUT)`);
    }
  }

  async function removeQuietly(url: string): Promise<void> {
    await transport.request('DELETE', url, 'remove temporary upload').catch(() => undefined);
  }

  async function exists(url: string, what: string): Promise<boolean> {
    const answer = await transport.request('PROPFIND', url, what, { headers: { Depth: '0' } });
    if (answer.status === 404) return false;
    if (answer.status === 207 || answer.status === 200) return true;
    throw errorFromStatus(answer, `${what} (PROPFIND)`);
  }

  /** Renames `temp` onto `target`; answers the effective MOVE status and cleans up on failure. */
  async function publish(temp: string, target: string, headers: Record<string, string>, what: string): Promise<{ status: number; answer: { status: number; headers: { get(n: string): string | null } } }> {
    let moved = false;
    try {
      const answer = await transport.request('MOVE', temp, what, { headers: { Destination: target, ...headers } });
      const status = await effectiveStatus(answer);
      moved = ok(status);
      return { status, answer: { status, headers: answer.headers } };
    } finally {
      // Also after a network error: the MOVE may or may not have happened (404 is fine then).
      if (!moved) await removeQuietly(temp);
    }
  }

  const storage: WebDavStorage = {
    name: display,
    capabilities,
    serverProfile: profile,

    async putIfAbsent(key: string, bytes: Uint8Array): Promise<PutResult> {
      const { path, url } = objectUrl(key);
      const what = `create ${key}`;
      if (!profile.moveNoOverwrite) {
        await collections.ensure(path.collections);
        if (await exists(url, what)) return 'exists';
      }
      const temp = await uploadTemp(path.collections, bytes, what);
      let failure: StorageError;
      try {
        const { status, answer } = await publish(temp, url, { Overwrite: profile.moveNoOverwrite ? 'F' : 'T' }, what);
        if (ok(status)) return 'created';
        if (status === 412 && profile.moveNoOverwrite) return 'exists';
        failure = errorFromStatus(answer, `${what} (MOVE)`);
      } catch (error) {
        if (!isStorageError(error)) throw error;
        failure = error;
      }
      // The MOVE failed, or its outcome is unknown: webdav-server answers 500 or 404 to MOVEs
      // racing onto one name, and a connection can drop after the rename. If the key is there
      // now, answer as a retry would: `exists` (ours or a racer's, the object is whole).
      if (await exists(url, what).catch(() => false)) return 'exists';
      throw failure;
    },

    async get(key: string, opts?: { range?: ByteRange }): Promise<Uint8Array> {
      const { url } = objectUrl(key);
      const what = `get ${key}`;
      const range = opts?.range;
      if (range && range.length === 0) {
        const head = await transport.request('HEAD', url, what);
        if (head.status === 404) throw new StorageError('NotFound', `${display}: ${key} not found`);
        if (!ok(head.status)) throw errorFromStatus(head, `${what} (HEAD)`);
        return new Uint8Array(0);
      }
      const headers: Record<string, string> = range ? { Range: `bytes=${range.offset}-${range.offset + range.length - 1}` } : {};
      const answer = await transport.request('GET', url, what, { headers });
      if (answer.status === 404) throw new StorageError('NotFound', `${display}: ${key} not found`);
      if (range && answer.status === 416) return new Uint8Array(0); // the range starts past the end
      if (answer.status === 200) return range ? answer.body.subarray(range.offset, range.offset + range.length) : answer.body;
      if (range && answer.status === 206) {
        const start = Number(/bytes\s+(\d+)-/i.exec(answer.headers.get('content-range') ?? '')?.[1]);
        if (start !== range.offset) throw new StorageError('Unavailable', `${what}: asked for bytes from ${range.offset}, the server sent ${answer.headers.get('content-range')}`);
        return answer.body.subarray(0, range.length);
      }
      throw errorFromStatus(answer, `${what} (GET)`);
    },

    async list(prefix: string, opts: ListOptions = {}): Promise<ListPage> {
      // One page: a PROPFIND returns whole collections anyway, so cutting pages would only make
      // later pages re-read them. pageSize is a hint the contract lets us exceed.
      return { objects: await walkListing(transport, prefix, opts.cursor ?? opts.startAfter) };
    },

    async delete(key: string): Promise<void> {
      const { url } = objectUrl(key);
      const answer = await transport.request('DELETE', url, `delete ${key}`);
      const status = await effectiveStatus(answer);
      if (ok(status) || status === 404) return;
      throw errorFromStatus({ status, headers: answer.headers }, `delete ${key} (DELETE)`);
    },

    async close(): Promise<void> {
      transport.close();
    },
  };

  if (compareAndSwap) {
    storage.putIfMatch = async (key: string, bytes: Uint8Array, etag: string): Promise<{ etag?: string }> => {
      const { path, url } = objectUrl(key);
      const what = `replace ${key}`;
      const temp = await uploadTemp(path.collections, bytes, what);
      const { status, answer } = await publish(temp, url, { Overwrite: 'T', If: `<${url}> ([${quoteEtag(etag)}])` }, what);
      if (ok(status)) return {}; // the new etag is not known without another, racy, request
      if (status === 412 || status === 404) throw new StorageError('PreconditionFailed', `${display}: ${key} changed or is gone (etag ${etag} no longer current)`);
      throw errorFromStatus(answer, `${what} (MOVE)`);
    };
  }
  return storage;
}
