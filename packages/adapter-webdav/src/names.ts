/**
 * Storage keys ↔ names on the WebDAV server.
 *
 * Servers sit on file systems we do not know: case-insensitive ones (Windows, macOS, many NAS
 * shares) would merge `uni/CaseA` and `uni/casea`; some normalize Unicode (NFC ↔ NFD); Windows
 * drops trailing dots and refuses `: * ? " < > |` and device names (`con`, `nul`); Apache hides
 * `.ht*`; proxies and servers disagree on how `#`, `?` and `%` are escaped in URLs. So every name
 * we write uses only `[a-z0-9._~-]` (URL-unreserved, lowercase, portable):
 *
 * - `a-z 0-9 _ -` stay as they are; `.` too, except as the first or last character;
 * - every other byte of the UTF-8 encoding becomes `~` + two lowercase hex digits
 *   (`A` → `~41`, `é` → `~c3~a9`, `#` → `~23`);
 * - a Windows device name (`con`, `aux`, `com1.txt`, …) has its first character escaped.
 *
 * Objects and collections get different names: a collection standing for the key prefix
 * `seg/` is named `encode(seg)~` (an object name never ends with a bare `~`). So the keys
 * `p/abc` and `p/abc/d` can both exist, a DELETE of an object can never hit a collection
 * (rclone, nephele and webdav-server delete collections even with `Depth: 0`), and listing
 * tells objects from collections by name.
 *
 * Names that do not decode canonically (our own `~tmp-…` upload names, a `desktop.ini` or
 * `.DS_Store` dropped in by a user) are not keys and are never listed.
 */
import { StorageError } from '@syncacross/sync-core';
import { nameCodec, WINDOWS_DEVICE_NAME } from '@syncacross/sync-core/adapter-kit';

/** Most file systems limit a name to 255 bytes; an escaped segment can triple in size. */
const MAX_NAME_BYTES = 255;
/** Prefix of every internal name (uploads in flight, capability probes): never a key. */
export const INTERNAL_PREFIX = '~tmp-';

/** These parameters are the on-remote format: changing one would hide every object already written. */
const webDavNames = nameCodec({ literal: /^[a-z0-9_-]$/, dots: 'inner', escape: '~', hexCase: 'lower', reserved: WINDOWS_DEVICE_NAME, folderSuffix: '~' });

/** The server name of one key segment, as an object name; and back (undefined: not ours). */
export const {
  /** The server name of one key segment, as an object name. */
  encodeName,
  /** The key segment a server name stands for; undefined for a name this adapter would not have written. */
  decodeName,
} = webDavNames;
export const collectionName = webDavNames.folderName;

/** What a listed name means: an object, a collection (key prefix), or nothing of ours. */
export function classifyName(name: string, isCollection: boolean): { kind: 'object' | 'collection'; segment: string } | undefined {
  const segment = webDavNames.parseName(name, isCollection);
  return segment === undefined ? undefined : { kind: isCollection ? 'collection' : 'object', segment };
}

/** A validated key as server names: the collections leading to it, and the object's own name. */
export interface KeyPath {
  collections: string[];
  name: string;
}

export function keyPath(key: string): KeyPath {
  const segments = key.split('/');
  const last = segments.pop()!;
  const path = { collections: segments.map(collectionName), name: encodeName(last) };
  for (const n of [...path.collections, path.name]) {
    if (Buffer.byteLength(n) > MAX_NAME_BYTES) {
      throw new StorageError(
        'InvalidKey',
        `key ${JSON.stringify(key)}: a segment escapes to ${Buffer.byteLength(n)} bytes, over the ${MAX_NAME_BYTES}-byte name limit of most file systems behind WebDAV servers`,
      );
    }
  }
  return path;
}

/** The collections for a key prefix ending in `/` (or '' for the root). */
export function prefixCollections(dirPrefix: string): string[] {
  return dirPrefix === '' ? [] : dirPrefix.slice(0, -1).split('/').map(collectionName);
}
