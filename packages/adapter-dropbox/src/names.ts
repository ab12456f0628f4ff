/**
 * Storage keys ↔ Dropbox paths. Dropbox folds case (`a` and `A` are one file) and refuses or
 * mangles some names (`<>:"|?*\`, trailing dots and spaces, which desktop clients cannot sync),
 * so every path segment is written with a case-free alphabet: `a-z 0-9 _ -` and `.` (except at
 * the end of a segment) stand for themselves, every other byte of the UTF-8 encoding is `~xx`
 * (lower-case hex). `uni/CaseA` → `uni/~43ase~41`, `uni/casea` → `uni/casea`: no two keys can
 * meet case-insensitively, and decoding is exact. These parameters are the on-remote format:
 * changing one would hide every object already written.
 */
import { nameCodec } from '@syncacross/sync-core/adapter-kit';

const dropboxNames = nameCodec({ literal: /^[a-z0-9_-]$/, dots: 'not-last', escape: '~', hexCase: 'lower' });
export const {
  /** The Dropbox name of one key segment. */
  encodeName,
  /** The key segment a Dropbox name stands for; undefined for a name this adapter would not have written. */
  decodeName,
} = dropboxNames;

/** The Dropbox path of a storage key, relative to the library folder: each segment encoded. */
export const encodeKey = (key: string) => key.split('/').map(encodeName).join('/');

/**
 * Dropbox refuses a path component over 255 characters (`malformed_path`: dropbox/dropbox-sdk-java#229).
 * Encoded names are ASCII, but `~xx` triples every other byte, so a 100-character segment of
 * capitals or non-Latin text is already too long. Shortening names (a hash) would make them
 * undecodable from a listing and change the on-remote format, so such a key is refused instead,
 * clearly, before any request. The engine's own keys (`packs/<sha256>`, `log/<writer>/…`) stay
 * far below the limit.
 */
const MAX_NAME_LENGTH = 255;

/** Why Dropbox cannot hold `key` (a segment too long once encoded), or undefined. */
export function unstorableKey(key: string): string | undefined {
  for (const segment of key.split('/')) {
    const length = encodeName(segment).length;
    if (length > MAX_NAME_LENGTH) {
      return `the segment "${segment.length > 40 ? `${segment.slice(0, 40)}…` : segment}" is ${length} characters once encoded, and Dropbox allows at most ${MAX_NAME_LENGTH} per name (capitals and non-ASCII take 3 characters each)`;
    }
  }
  return undefined;
}

/** The key an encoded relative path stands for, or undefined when any name in it is not ours. */
export function decodeKey(encoded: string): string | undefined {
  const parts: string[] = [];
  for (const name of encoded.split('/')) {
    const segment = decodeName(name);
    if (segment === undefined) return undefined;
    parts.push(segment);
  }
  return parts.join('/');
}

/** Joins the configured root folder ('' or '/a/b') and a relative encoded path. */
export const joinPath = (root: string, relative: string) => (relative === '' ? root : `${root}/${relative}`);
