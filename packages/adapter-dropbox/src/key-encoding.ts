/**
 * Storage keys ↔ Dropbox paths. Dropbox folds case (`a` and `A` are one file) and refuses or
 * mangles some names (`<>:"|?*\`, trailing dots and spaces, which desktop clients cannot sync),
 * so every path segment is written with a case-free alphabet: `a-z 0-9 _ -` and `.` (except at
 * the end of a segment) stand for themselves, every other byte of the UTF-8 encoding is `~xx`
 * (lower-case hex). `uni/CaseA` → `uni/~43ase~41`, `uni/casea` → `uni/casea`: no two keys can
 * meet case-insensitively, and decoding is exact.
 */

const PLAIN = /[a-z0-9_\-.]/;

export function encodeSegment(segment: string): string {
  let out = '';
  const chars = [...segment];
  chars.forEach((c, i) => {
    if (PLAIN.test(c) && !(c === '.' && i === chars.length - 1)) out += c;
    else for (const b of Buffer.from(c, 'utf8')) out += `~${b.toString(16).padStart(2, '0')}`;
  });
  return out;
}

/** The key segment a Dropbox name stands for, or undefined when the name is not one we wrote. */
export function decodeSegment(name: string): string | undefined {
  const bytes: number[] = [];
  for (let i = 0; i < name.length; i++) {
    const c = name[i]!;
    if (c === '~') {
      const hex = name.slice(i + 1, i + 3);
      if (!/^[0-9a-f]{2}$/.test(hex)) return undefined;
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else if (PLAIN.test(c)) {
      bytes.push(c.charCodeAt(0));
    } else {
      return undefined;
    }
  }
  const segment = Buffer.from(bytes).toString('utf8');
  // Only the canonical spelling is ours (a stray `~41` for a plain `a`, or bad UTF-8, is not).
  return encodeSegment(segment) === name ? segment : undefined;
}

export const encodeKey = (key: string) => key.split('/').map(encodeSegment).join('/');

export function decodeKey(encoded: string): string | undefined {
  const parts: string[] = [];
  for (const name of encoded.split('/')) {
    const segment = decodeSegment(name);
    if (segment === undefined || segment === '') return undefined;
    parts.push(segment);
  }
  return parts.join('/');
}

/** Joins the configured root folder ('' or '/a/b') and a relative encoded path. */
export const joinPath = (root: string, relative: string) => (relative === '' ? root : `${root}/${relative}`);
