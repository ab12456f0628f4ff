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

const LITERAL = /^[a-z0-9_-]$/;
const WINDOWS_DEVICE = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\.|$)/;
/** Most file systems limit a name to 255 bytes; an escaped segment can triple in size. */
export const MAX_NAME_BYTES = 255;
const COLLECTION_SUFFIX = '~';
/** Prefix of every internal name (uploads in flight, capability probes): never a key. */
export const INTERNAL_PREFIX = '~tmp-';

const hex = (byte: number) => `~${byte.toString(16).padStart(2, '0')}`;
const utf8 = new TextEncoder();
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** The server name of one key segment, as an object name. */
export function encodeSegment(segment: string): string {
  let out = '';
  const chars = [...segment];
  chars.forEach((ch, i) => {
    const literal = LITERAL.test(ch) || (ch === '.' && i > 0 && i < chars.length - 1);
    out += literal ? ch : [...utf8.encode(ch)].map(hex).join('');
  });
  if (WINDOWS_DEVICE.test(out)) out = hex(out.charCodeAt(0)) + out.slice(1);
  return out;
}

/** The key segment a server name stands for, or undefined when it is not one of ours. */
export function decodeSegment(name: string): string | undefined {
  const bytes: number[] = [];
  for (let i = 0; i < name.length; ) {
    if (name[i] === '~') {
      const pair = name.slice(i + 1, i + 3);
      if (!/^[0-9a-f]{2}$/.test(pair)) return undefined;
      bytes.push(parseInt(pair, 16));
      i += 3;
    } else {
      bytes.push(name.charCodeAt(i));
      i += 1;
    }
  }
  let segment: string;
  try {
    segment = strictUtf8.decode(Uint8Array.from(bytes));
  } catch {
    return undefined;
  }
  if (segment === '' || segment === '.' || segment === '..' || segment.includes('/')) return undefined;
  // Only the one canonical spelling is ours: this rejects foreign names and any name a
  // case-folding or normalizing file system could confuse with another.
  return encodeSegment(segment) === name ? segment : undefined;
}

export const collectionName = (segment: string) => encodeSegment(segment) + COLLECTION_SUFFIX;

/** What a listed name means: an object, a collection (key prefix), or nothing of ours. */
export function classifyName(name: string, isCollection: boolean): { kind: 'object' | 'collection'; segment: string } | undefined {
  if (isCollection) {
    if (!name.endsWith(COLLECTION_SUFFIX)) return undefined;
    const segment = decodeSegment(name.slice(0, -COLLECTION_SUFFIX.length));
    return segment === undefined ? undefined : { kind: 'collection', segment };
  }
  const segment = decodeSegment(name);
  return segment === undefined ? undefined : { kind: 'object', segment };
}

/** A validated key as server names: the collections leading to it, and the object's own name. */
export interface KeyPath {
  collections: string[];
  name: string;
}

export function keyPath(key: string): KeyPath {
  const segments = key.split('/');
  const last = segments.pop()!;
  const path = { collections: segments.map(collectionName), name: encodeSegment(last) };
  for (const n of [...path.collections, path.name]) {
    if (Buffer.byteLength(n) > MAX_NAME_BYTES) {
      throw new StorageError('InvalidKey', `key ${JSON.stringify(key)}: a segment escapes to ${Buffer.byteLength(n)} bytes, over the ${MAX_NAME_BYTES}-byte name limit of most file systems behind WebDAV servers`);
    }
  }
  return path;
}

/** The collections for a key prefix ending in `/` (or '' for the root). */
export function prefixCollections(dirPrefix: string): string[] {
  return dirPrefix === '' ? [] : dirPrefix.slice(0, -1).split('/').map(collectionName);
}
