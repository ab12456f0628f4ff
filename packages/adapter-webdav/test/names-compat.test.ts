/**
 * The kit's name codec with WebDAV's parameters writes exactly the names the adapter's own
 * encoder wrote before the adapter kit (kept below, verbatim, as the reference): existing
 * remotes must keep working. Decoding agrees too, except that names no valid key segment has
 * ('', `.`, `..`, a `/`) are no longer read as keys.
 */
import { describe, expect, it } from 'vitest';
import { codecMatchesReference } from '../../../test/support/name-codec-compat.js';
import { encodeName, decodeName } from '../src/names.js';

// ---- the encoder as it was (reference only) ----
const LITERAL = /^[a-z0-9_-]$/;
const WINDOWS_DEVICE = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\.|$)/;
const hex = (byte: number) => `~${byte.toString(16).padStart(2, '0')}`;
const utf8 = new TextEncoder();
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function oldEncode(segment: string): string {
  let out = '';
  const chars = [...segment];
  chars.forEach((ch, i) => {
    const literal = LITERAL.test(ch) || (ch === '.' && i > 0 && i < chars.length - 1);
    out += literal ? ch : [...utf8.encode(ch)].map(hex).join('');
  });
  if (WINDOWS_DEVICE.test(out)) out = hex(out.charCodeAt(0)) + out.slice(1);
  return out;
}

function oldDecode(name: string): string | undefined {
  const bytes: number[] = [];
  for (let i = 0; i < name.length;) {
    if (name[i] === '~') {
      const pair = name.slice(i + 1, i + 3);
      if (!/^[0-9a-f]{2}$/.test(pair)) return undefined;
      bytes.push(parseInt(pair, 16));
      i += 3;
    } else {
      bytes.push(name.charCodeAt(i));
      i += 1;
    }
  }
  let segment: string;
  try {
    segment = strictUtf8.decode(Uint8Array.from(bytes));
  } catch {
    return undefined;
  }
  if (segment === '' || segment === '.' || segment === '..' || segment.includes('/')) return undefined;
  return oldEncode(segment) === name ? segment : undefined;
}
// ---- end of reference ----

describe('WebDAV names through the adapter kit', () => {
  codecMatchesReference({ encodeName, decodeName }, { encodeName: oldEncode, decodeName: oldDecode });

  it('keeps the recorded examples', () => {
    expect(encodeName('CaseA')).toBe('~43ase~41');
    expect(encodeName('trailing.')).toBe('trailing~2e');
    expect(encodeName('.htaccess')).toBe('~2ehtaccess');
    expect(encodeName('con')).toBe('~63on');
    expect(encodeName('com1.txt')).toBe('~63om1.txt');
    expect(encodeName('1-abc.def')).toBe('1-abc.def');
    expect(encodeName('é')).toBe('~c3~a9');
  });
});
