/**
 * Sizes as rclone and restic users type them: `512K`, `1.5G`, `200MiB`, `10MB` (binary units, as
 * both tools read them). What a bare number means is the caller's: bytes for a size, KiB for a
 * rate (rclone's --bwlimit). A typo is a usage error, never a silent default.
 */
import { usageError } from './cli-error.js';

const UNITS: Record<string, number> = { b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/** The bytes `text` says (a bare number in `bareUnit`), or null when it is not a size. */
export function parseSize(text: string, bareUnit: 'b' | 'k'): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([bkmgt])?(?:i?b)?\s*$/i.exec(text);
  return m ? Math.floor(Number(m[1]) * UNITS[(m[2] ?? bareUnit).toLowerCase()]!) : null;
}

/** The number of bytes `text` says (a bare number is bytes), or a usage error naming `option`. */
export function parseByteSize(option: string, text: string): number {
  const bytes = parseSize(text, 'b');
  if (bytes === null) throw usageError('BadOption', `${option} ${JSON.stringify(text)}: expected a size such as 500M, 2G or 1048576 (bytes)`);
  return bytes;
}
