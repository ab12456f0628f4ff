/**
 * The kit's name codec with Dropbox's parameters writes exactly the names the adapter's own
 * encoder wrote before the adapter kit (kept below, verbatim, as the reference): existing
 * remotes must keep working. Decoding agrees too, except that names no valid key segment has
 * ('', `.`, `..`, a `/`) are no longer read as keys.
 */
import { describe, expect, it } from 'vitest';
import { codecMatchesReference } from '../../../test/support/name-codec-compat.js';
import { encodeName, decodeName } from '../src/names.js';

// ---- the encoder as it was (reference only) ----
const PLAIN = /[a-z0-9_\-.]/;

function oldEncode(segment: string): string {
  let out = '';
  const chars = [...segment];
  chars.forEach((c, i) => {
    if (PLAIN.test(c) && !(c === '.' && i === chars.length - 1)) out += c;
    else for (const b of Buffer.from(c, 'utf8')) out += `~${b.toString(16).padStart(2, '0')}`;
  });
  return out;
}

function oldDecode(name: string): string | undefined {
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
  return oldEncode(segment) === name ? segment : undefined;
}
// ---- end of reference ----

describe('Dropbox names through the adapter kit', () => {
  codecMatchesReference({ encodeName, decodeName }, { encodeName: oldEncode, decodeName: oldDecode });

  it('keeps the recorded examples', () => {
    expect(encodeName('CaseA')).toBe('~43ase~41');
    expect(encodeName('casea')).toBe('casea');
    expect(encodeName('a.')).toBe('a~2e');
    expect(encodeName('.hidden')).toBe('.hidden');
    expect(encodeName('12-abc123')).toBe('12-abc123');
    expect(encodeName('é')).toBe('~c3~a9');
    expect(encodeName('con')).toBe('con');
  });
});
