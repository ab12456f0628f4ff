/**
 * What every operation of one WebDAV storage shares: the transport, the cache of collections
 * known to exist, what the server was measured to honor, and the storage's name for messages.
 */
import type { Collections } from './collections.js';
import { keyPath } from './names.js';
import type { ServerProfile } from './server-profile.js';
import type { DavTransport } from './client.js';

export interface DavContext {
  readonly transport: DavTransport;
  readonly collections: Collections;
  readonly profile: ServerProfile;
  /** The storage's `name`. */
  readonly display: string;
  /** The largest object it accepts (`maxObjectSize`): a whole read past it is not one of its objects. */
  readonly maxObjectSize: number;
}

export const ok = (status: number) => status >= 200 && status < 300;

/** The key's collections and name, and its URL. */
export const objectUrl = (ctx: DavContext, key: string) => {
  const path = keyPath(key);
  return { path, url: ctx.transport.url([...path.collections, path.name]) };
};
