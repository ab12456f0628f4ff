/**
 * The check every adapter's names-compat test makes: the adapter kit's name codec, with that
 * adapter's parameters, writes exactly the names the adapter's own encoder wrote before the kit
 * (so existing remotes keep working) and decodes the same foreign names, except names no valid
 * key segment has ('', `.`, `..`, a `/`), which are no longer read as keys. Each adapter keeps its
 * old encoder verbatim in its own test and calls this with it.
 */
import { fc, test } from '@fast-check/vitest';
import { expect } from 'vitest';

interface Codec {
  encodeName(segment: string): string;
  decodeName(name: string): string | undefined;
}

const tricky = fc.constantFrom(
  '.',
  '..',
  '...',
  'a.',
  '.a',
  'a.b',
  'con',
  'CON',
  'con.txt',
  'com1',
  'lpt9.x',
  'nul.',
  'aux',
  'prn',
  'conin$',
  'conout$',
  '.lock',
  'desktop.ini',
  'Desktop.ini',
  '~',
  '~tmp-1',
  '%',
  '%41',
  '~41',
  '_',
  '-',
  ' ',
  'A',
  'é',
  'e\\u0301',
  '😀',
  '\\ufeffbom',
  'log',
  '00000012-3fa9c0',
  '#?&+',
);
const segment = fc
  .oneof(
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: 24 }),
    fc.string({ unit: fc.constantFrom('a', 'C', 'o', 'n', '.', '~', '%', '_', '-', '1', 'é', ' ', '$'), minLength: 1, maxLength: 12 }),
    tricky,
  )
  .filter((s) => s !== '.' && s !== '..' && !s.includes('/') && !s.startsWith('\\ufeff'));

/** Registers the two property tests in the caller's describe block. */
export function codecMatchesReference(codec: Codec, reference: Codec): void {
  const { encodeName, decodeName } = codec;
  const oldEncode = reference.encodeName;
  const oldDecode = reference.decodeName;
  test.prop([segment], { numRuns: 3000 })('encode exactly as before, and decode back', (s) => {
    expect(encodeName(s)).toBe(oldEncode(s));
    expect(decodeName(encodeName(s))).toBe(s);
  });

  test.prop([fc.oneof(fc.string({ unit: fc.constantFrom('a', 'A', '.', '~', '%', '4', '1', 'f', 'F', 'z', '-', '_'), maxLength: 10 }), fc.string())], { numRuns: 3000 })(
    'recognise the same foreign names as before',
    (name) => {
      const old = oldDecode(name);
      const expected = old === undefined || old === '' || old === '.' || old === '..' || old.includes('/') ? undefined : old;
      expect(decodeName(name)).toBe(expected);
    },
  );
}
