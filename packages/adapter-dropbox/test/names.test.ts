/** Key encoding for a case-insensitive store: distinct, canonical, readable names. */
import { describe, expect, it } from 'vitest';
import { decodeKey, encodeKey } from '@syncacross/adapter-dropbox';

describe('key encoding', () => {
  const keys = ['uni/CaseA', 'uni/casea', 'uni/sp ace+plus%25#hash?q:c*st<>|"', 'uni/trailing.', 'uni/日本語/ファイル.txt', 'uni/émoji-😀.bin', 'a/~41', 'log/w1/000012-ab3f', 'x/...'];

  it('round-trips every key exactly', () => {
    for (const k of keys) expect(decodeKey(encodeKey(k))).toBe(k);
  });

  it('never maps two keys to names that Dropbox would fold together', () => {
    const folded = new Set(keys.map((k) => encodeKey(k).toLowerCase()));
    expect(folded.size).toBe(keys.length);
    for (const k of keys) expect(encodeKey(k)).toBe(encodeKey(k).toLowerCase());
  });

  it('avoids every character Dropbox or its desktop clients refuse, and trailing dots', () => {
    for (const k of keys) {
      for (const segment of encodeKey(k).split('/')) {
        expect(segment).toMatch(/^[a-z0-9_.~-]+$/);
        expect(segment.endsWith('.')).toBe(false);
      }
    }
  });

  it('keeps the keys the engine writes readable', () => {
    expect(encodeKey('packs/w1/12-abc123')).toBe('packs/w1/12-abc123');
    expect(encodeKey('uni/CaseA')).toBe('uni/~43ase~41');
  });

  it('refuses names that are not a canonical encoding', () => {
    expect(decodeKey('Format')).toBeUndefined();
    expect(decodeKey('~61')).toBeUndefined(); // "a" spelled the long way
    expect(decodeKey('x~zz')).toBeUndefined();
  });
});
