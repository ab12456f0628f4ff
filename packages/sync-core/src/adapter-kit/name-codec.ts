/**
 * Key segments ↔ names on a backend, for adapters whose backend folds case, normalizes Unicode or
 * refuses characters and device names. A name uses a small alphabet no such rule can touch:
 * characters matching `literal` stand for themselves, `.` too where `dots` allows it, and every
 * other byte of the UTF-8 encoding is `escape` + two hex digits (`A` → `~41`). An encoded name
 * that matches `reserved` (a Windows device name, `desktop.ini`, …) has its first character
 * escaped as well.
 *
 * Decoding is strict: only the one canonical spelling of a segment is ours, so a foreign file
 * (`Thumbs.db`, `~tmp-…`, `~61` for a plain `a`) never reads as a key, nor does a name that
 * decodes to something no valid key holds as a segment ('', `.`, `..`, or one with a `/`).
 *
 * Each adapter keeps its own parameters (they are part of its on-remote format: changing one
 * would hide every object already written); `folderSuffix` names folders apart from objects so a
 * key can be both an object and a prefix (`p/a` and `p/a/b`).
 */

export interface NameCodecOptions {
  /** One character that stands for itself (tested per code point; `.` is decided by `dots`). */
  literal: RegExp;
  /** Where a `.` stands for itself: anywhere but the end, or only inside (not first or last). */
  dots: 'not-last' | 'inner';
  /** The character that starts an escape (followed by two hex digits of one UTF-8 byte); it never stands for itself. */
  escape: '~' | '%';
  /** The case of the escapes' hex digits; decoding accepts only this case, so each segment has one spelling. */
  hexCase: 'lower' | 'upper';
  /** Encoded names that must not be used as they are: their first character is escaped. */
  reserved?: RegExp;
  /** Appended to a folder's encoded name (must be a character no encoded name ends with). */
  folderSuffix?: string;
}

/** Encodes key segments as names on a backend and back (made by `nameCodec`). */
export interface NameCodec {
  /** The backend name for one key segment (a part of a key between `/`s). */
  encodeName(segment: string): string;
  /** The segment `name` stands for, or undefined when the name is not one this codec writes. */
  decodeName(name: string): string | undefined;
  /** The name of the folder standing for the key prefix `segment/`. */
  folderName(segment: string): string;
  /** A listed child's segment: folders must carry the suffix, objects must not. */
  parseName(name: string, isFolder: boolean): string | undefined;
}

const utf8 = new TextEncoder();
// ignoreBOM keeps a leading U+FEFF in the segment (by default the decoder drops it).
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const HEX_PAIR = /^[0-9a-fA-F]{2}$/;
const DOT = 0x2e;
const SLASH = 0x2f;

/** A codec with these parameters; they are part of an adapter's on-remote format, so never change them for an existing adapter. */
export function nameCodec(options: NameCodecOptions): NameCodec {
  const { literal, dots, escape, reserved } = options;
  const suffix = options.folderSuffix ?? '';
  const hex = (byte: number) => {
    const digits = byte.toString(16).padStart(2, '0');
    return escape + (options.hexCase === 'upper' ? digits.toUpperCase() : digits);
  };
  const escapeChar = (ch: string) => [...utf8.encode(ch)].map(hex).join('');

  function encodeName(segment: string): string {
    const chars = [...segment];
    let out = '';
    chars.forEach((ch, i) => {
      const plainDot = ch === '.' && i !== chars.length - 1 && (dots === 'not-last' || i > 0);
      out += plainDot || (ch !== '.' && literal.test(ch)) ? ch : escapeChar(ch);
    });
    if (reserved?.test(out)) out = escapeChar(out[0]!) + out.slice(1);
    return out;
  }

  const plainVerdict = plainNames(options);

  function decodeName(name: string): string | undefined {
    const plain = plainVerdict(name);
    if (plain !== undefined) return plain ? name : undefined;
    const bytes: number[] = [];
    for (let i = 0; i < name.length;) {
      if (name[i] === escape) {
        const pair = name.slice(i + 1, i + 3);
        if (!HEX_PAIR.test(pair)) return undefined;
        bytes.push(parseInt(pair, 16));
        i += 3;
      } else {
        const ch = String.fromCodePoint(name.codePointAt(i)!);
        bytes.push(...utf8.encode(ch));
        i += ch.length;
      }
    }
    let segment: string;
    try {
      segment = strictUtf8.decode(Uint8Array.from(bytes));
    } catch {
      return undefined;
    }
    if (segment === '' || segment === '.' || segment === '..' || segment.includes('/')) return undefined;
    return encodeName(segment) === name ? segment : undefined;
  }

  const folderName = (segment: string) => encodeName(segment) + suffix;

  function parseName(name: string, isFolder: boolean): string | undefined {
    if (!isFolder) return decodeName(name);
    return suffix !== '' && name.endsWith(suffix) ? decodeName(name.slice(0, -suffix.length)) : undefined;
  }

  return { encodeName, decodeName, folderName, parseName };
}

/**
 * A name of ASCII characters without escapes (every object name a listing shows, nearly) is its
 * own segment: ours when each character is one `encodeName` keeps as it is, the dots where it
 * keeps them, and it is no reserved name. `undefined`: it needs the general decoding. Listing
 * `log/` decoded every name through UTF-8 and back: an eighth of a round once history was long.
 */
function plainNames({ literal, dots, escape, reserved }: NameCodecOptions): (name: string) => boolean | undefined {
  // Which ASCII characters stand for themselves (never `.`, decided by position, nor `/`).
  const literalAscii = Array.from({ length: 128 }, (_, c) => c !== DOT && c !== SLASH && literal.test(String.fromCharCode(c)));
  const escapeCode = escape.charCodeAt(0);
  return (name) => {
    const last = name.length - 1;
    for (let i = 0; i <= last; i++) {
      const c = name.charCodeAt(i);
      if (c >= 128 || c === escapeCode) return undefined;
      if (c === DOT ? i === last || (dots === 'inner' && i === 0) : !literalAscii[c]) return false;
    }
    return name !== '' && !(reserved?.test(name) ?? false);
  };
}

/** Windows device names (`con`, `nul`, `com1.txt`, …), as encoded names. */
export const WINDOWS_DEVICE_NAME = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\.|$)/;
