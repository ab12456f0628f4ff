/**
 * Sizes as rclone and restic users type them: `512K`, `1.5G`, `200MiB`, `10MB` (binary units, as
 * both tools read them; a bare number is bytes). A typo is a usage error, never a silent default.
 */
import { usageError } from './cli-error.js';

const UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/** The number of bytes `text` says, or a usage error naming `option`. */
export function parseByteSize(option: string, text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*$/i.exec(text);
  if (!m) throw usageError('BadOption', `${option} ${JSON.stringify(text)}: expected a size such as 500M, 2G or 1048576 (bytes)`);
  return Math.floor(Number(m[1]) * UNITS[m[2]!.toLowerCase()]!);
}
