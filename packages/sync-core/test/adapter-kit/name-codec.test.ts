/** The name codec: safe names that survive case folding and picky file systems, decoded strictly. */
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { nameCodec, WINDOWS_DEVICE_NAME } from '@syncacross/sync-core/adapter-kit';

const codec = nameCodec({ literal: /^[a-z0-9_-]$/, dots: 'inner', escape: '~', hexCase: 'lower', reserved: WINDOWS_DEVICE_NAME, folderSuffix: '~' });
const segment = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }).filter((s) => s !== '.' && s !== '..' && !s.includes('/'));

describe('nameCodec', () => {
  test.prop([segment])('every segment round-trips, through a name of the safe alphabet only', (s) => {
    const name = codec.encodeName(s);
    expect(name).toMatch(/^[a-z0-9_.~-]+$/);
    expect(codec.decodeName(name)).toBe(s);
  });

  test.prop([segment, segment])('two segments never share a name, even with case folded', (a, b) => {
    if (a !== b) expect(codec.encodeName(a).toLowerCase()).not.toBe(codec.encodeName(b).toLowerCase());
  });

  // Listed names are mostly ASCII without escapes, which decoding takes by a shorter way: it must
  // answer exactly as the inverse of encodeName, for both kinds of codec the adapters use.
  const percent = nameCodec({ literal: /^[a-z0-9_-]$/, dots: 'not-last', escape: '%', hexCase: 'upper', reserved: WINDOWS_DEVICE_NAME });
  const plainish = fc.string({ unit: fc.constantFrom(...'aZ0_-.~%/ A2fEcon.lpt1é'.split('')), maxLength: 12 });
  const safeish = fc.string({ unit: fc.constantFrom(...'ab0_-.'.split('')), maxLength: 6 });
  const reservedish = fc.constantFrom('con', 'nul.txt', 'com1', 'lpt9.md', 'aux', 'prn.x', 'con~', '.con', 'conin$');
  for (const [name, c] of [
    ['tilde, inner dots', codec],
    ['percent, dots but last', percent],
  ] as const) {
    test.prop([
      fc.oneof(
        plainish,
        safeish,
        reservedish,
        fc.tuple(reservedish, plainish).map(([a, b]) => a + b),
      ),
    ])(`${name}: a name is read only as the segment it encodes`, (n) => {
      const s = c.decodeName(n);
      if (s !== undefined) expect(c.encodeName(s)).toBe(n);
    });
    test.prop([fc.oneof(plainish, safeish, reservedish).filter((s) => s !== '' && s !== '.' && s !== '..' && !s.includes('/'))])(`${name}: every such segment's name reads back as it`, (s) => {
      expect(c.decodeName(c.encodeName(s))).toBe(s);
    });
  }

  it('escapes dots where asked, reserved names, and bytes with the chosen escape and case', () => {
    expect(codec.encodeName('.a.b.')).toBe('~2ea.b~2e');
    expect(codec.encodeName('con.txt')).toBe('~63on.txt');
    expect(codec.encodeName('Aé')).toBe('~41~c3~a9');
    const percent = nameCodec({ literal: /^[a-z]$/, dots: 'not-last', escape: '%', hexCase: 'upper' });
    expect(percent.encodeName('.x.')).toBe('.x%2E');
    expect(percent.encodeName('é')).toBe('%C3%A9');
  });

  it('reads only its own canonical names', () => {
    for (const foreign of ['Thumbs.db', '~tmp-01', '~61', '~C3~A9', '~zz', '~4', '~2f', '~2e', '~2e~2e', '', '~ff']) expect(codec.decodeName(foreign), foreign).toBeUndefined();
  });

  it('keeps a leading byte-order mark (a text decoder drops it by default)', () => {
    expect(codec.decodeName(codec.encodeName('\ufeffx'))).toBe('\ufeffx');
  });

  it('tells folders from objects by the suffix', () => {
    expect(codec.folderName('Ab')).toBe('~41b~');
    expect(codec.parseName('~41b~', true)).toBe('Ab');
    expect(codec.parseName('~41b', true)).toBeUndefined();
    expect(codec.parseName('~41b~', false)).toBeUndefined();
  });
});
