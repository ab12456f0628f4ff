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
export const { encodeName, decodeName } = dropboxNames;

export const encodeKey = (key: string) => key.split('/').map(encodeName).join('/');

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
