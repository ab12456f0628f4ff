/**
 * Keys → file names that survive every file system a library may live on: case-insensitive
 * ones (Windows, macOS, SMB shares, FAT/exFAT drives), ones that forbid `<>:"|?*` or trailing
 * dots, Windows reserved names, and NFC/NFD-normalizing ones (macOS). Only `[a-z0-9_-]` and
 * inner dots pass through; everything else becomes `%XX` (upper-case hex of the UTF-8 bytes),
 * so two different keys never map to names a file system could confuse.
 */
const SAFE = /^[a-z0-9_.-]$/;
const RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9]|conin\$|conout\$)(\.|$)/;

function encodeChar(ch: string): string {
  return [...Buffer.from(ch, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
}

export function encodeSegment(segment: string): string {
  const chars = [...segment];
  let out = chars
    .map((ch, i) => {
      if (ch === '.' && (i === 0 || i === chars.length - 1)) return encodeChar(ch); // hidden / trailing-dot names
      return SAFE.test(ch) ? ch : encodeChar(ch);
    })
    .join('');
  if (RESERVED.test(out)) out = encodeChar(out[0]!) + out.slice(1);
  return out;
}

export function encodeKey(key: string): string[] {
  return key.split('/').map(encodeSegment);
}

/** The key a file name stands for, or undefined when the name is not one we would have written. */
export function decodeSegment(name: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(name);
  } catch {
    return undefined;
  }
  return encodeSegment(decoded) === name ? decoded : undefined;
}
