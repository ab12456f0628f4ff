/**
 * The kit's name codec with OneDrive's parameters writes exactly the names the adapter's own
 * encoder wrote before the adapter kit (kept below, verbatim, as the reference): existing
 * remotes must keep working. Decoding agrees too, except that names no valid key segment has
 * ('', `.`, `..`, a `/`) are no longer read as keys.
 */
import { describe, expect, it } from 'vitest';
import { codecMatchesReference } from '../../../test/support/name-codec-compat.js';
import { encodeName, decodeName } from '../src/names.js';

// ---- the encoder as it was (reference only) ----
const PLAIN = /^[a-z0-9.-]$/;
const RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$|^\.lock$|^desktop\.ini$/;
const hex = (bytes: Uint8Array) => [...bytes].map((b) => `~${b.toString(16).padStart(2, '0')}`).join('');

function oldEncode(segment: string): string {
  let out = '';
  for (const ch of segment) out += PLAIN.test(ch) ? ch : hex(Buffer.from(ch, 'utf8'));
  if (out.endsWith('.')) out = `${out.slice(0, -1)}~2e`;
  if (RESERVED.test(out)) out = hex(Buffer.from(out[0]!, 'utf8')) + out.slice(1);
  return out;
}

function oldDecode(name: string): string | undefined {
  const bytes: number[] = [];
  for (let i = 0; i < name.length; i++) {
    const ch = name[i]!;
    if (ch === '~') {
      const h = name.slice(i + 1, i + 3);
      if (!/^[0-9a-f]{2}$/.test(h)) return undefined;
      bytes.push(parseInt(h, 16));
      i += 2;
    } else if (PLAIN.test(ch)) bytes.push(ch.charCodeAt(0));
    else return undefined;
  }
  const segment = Buffer.from(bytes).toString('utf8');
  return segment !== '' && oldEncode(segment) === name ? segment : undefined;
}
// ---- end of reference ----

describe('OneDrive names through the adapter kit', () => {
  codecMatchesReference({ encodeName, decodeName }, { encodeName: oldEncode, decodeName: oldDecode });

  it('keeps the recorded examples', () => {
    expect(encodeName('CaseA')).toBe('~43ase~41');
    expect(encodeName('log')).toBe('log');
    expect(encodeName('a_b')).toBe('a~5fb');
    expect(encodeName('a.')).toBe('a~2e');
    expect(encodeName('con.txt')).toBe('~63on.txt');
    expect(encodeName('.lock')).toBe('~2elock');
    expect(encodeName('desktop.ini')).toBe('~64esktop.ini');
    expect(encodeName('é')).toBe('~c3~a9');
  });
});
