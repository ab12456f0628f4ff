/**
 * A name's bytes as text a person can read and type: valid UTF-8 as it is, every other byte as
 * `\xNN` (`caf\xe9.txt` for a Latin-1 `café.txt`). Linux lets a file name hold any bytes but `/` and
 * NUL, and Node decodes the rest with U+FFFD, which names nothing on disk; this is how the scan
 * (scan.ts) and the command (an argument that is not UTF-8) name such a file.
 */
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Whether `bytes` are valid UTF-8. */
export function isUtf8(bytes: Uint8Array): boolean {
  try {
    strictUtf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** `raw` with every byte that is not part of valid UTF-8 spelled `\xNN`. */
export function spelledBytes(raw: Uint8Array): string {
  let out = '';
  for (let i = 0; i < raw.length;) {
    const lead = raw[i]!;
    const width = lead < 0x80 ? 1 : lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 0;
    const piece = raw.subarray(i, i + width);
    if (width > 0 && piece.length === width && isUtf8(piece)) {
      out += strictUtf8.decode(piece);
      i += width;
    } else {
      out += `\\x${lead.toString(16).padStart(2, '0')}`;
      i++;
    }
  }
  return out;
}
