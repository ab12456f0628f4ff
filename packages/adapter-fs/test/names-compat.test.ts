/**
 * The kit's name codec with File-system's parameters writes exactly the names the adapter's own
 * encoder wrote before the adapter kit (kept below, verbatim, as the reference): existing
 * remotes must keep working. Decoding agrees too, except that names no valid key segment has
 * ('', `.`, `..`, a `/`) are no longer read as keys.
 */
import { describe, expect, it } from 'vitest';
import { codecMatchesReference } from '../../../test/support/name-codec-compat.js';
import { encodeName, decodeName } from '../src/names.js';

// ---- the encoder as it was (reference only) ----
const SAFE = /^[a-z0-9_.-]$/;
const RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9]|conin\$|conout\$)(\.|$)/;

function encodeChar(ch: string): string {
  return [...Buffer.from(ch, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
}

function oldEncode(segment: string): string {
  const chars = [...segment];
  let out = chars
    .map((ch, i) => {
      if (ch === '.' && (i === 0 || i === chars.length - 1)) return encodeChar(ch);
      return SAFE.test(ch) ? ch : encodeChar(ch);
    })
    .join('');
  if (RESERVED.test(out)) out = encodeChar(out[0]!) + out.slice(1);
  return out;
}

function oldDecode(name: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(name);
  } catch {
    return undefined;
  }
  return oldEncode(decoded) === name ? decoded : undefined;
}
// ---- end of reference ----

describe('File-system names through the adapter kit', () => {
  codecMatchesReference({ encodeName, decodeName }, { encodeName: oldEncode, decodeName: oldDecode });

  it('keeps the recorded examples', () => {
    expect(encodeName('CaseA')).toBe('%43ase%41');
    expect(encodeName('plain-name_1.bin')).toBe('plain-name_1.bin');
    expect(encodeName('a.')).toBe('a%2E');
    expect(encodeName('.hidden')).toBe('%2Ehidden');
    expect(encodeName('con')).toBe('%63on');
    expect(encodeName('conin$')).toBe('conin%24'); // `$` is escaped first, so the device name is never written
    expect(encodeName('é')).toBe('%C3%A9');
  });
});
