import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { keyProblem } from '@syncacross/sync-core';
import { classifyName, collectionName, decodeName, encodeName, keyPath } from '../src/names.js';

const segment = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }).filter((s) => !keyProblem(s) && !s.includes('/'));

describe('key segments ↔ server names', () => {
  it('round-trips any valid segment', () => {
    fc.assert(fc.property(segment, (s) => decodeName(encodeName(s)) === s));
  });

  it('uses only lowercase URL-unreserved characters, with no leading or trailing dot', () => {
    fc.assert(
      fc.property(segment, (s) => {
        const name = encodeName(s);
        return /^[a-z0-9._~-]+$/.test(name) && !name.startsWith('.') && !name.endsWith('.');
      }),
    );
  });

  it('keeps names distinct on case-insensitive file systems (CaseA vs casea)', () => {
    expect(encodeName('CaseA')).toBe('~43ase~41');
    expect(encodeName('casea')).toBe('casea');
    fc.assert(fc.property(segment, segment, (a, b) => a === b || encodeName(a).toLowerCase() !== encodeName(b).toLowerCase()));
  });

  it('escapes what breaks servers and Windows file systems', () => {
    expect(encodeName('sp ace+plus%25#hash?q:c*st<>|"')).toBe('sp~20ace~2bplus~2525~23hash~3fq~3ac~2ast~3c~3e~7c~22');
    expect(encodeName('trailing.')).toBe('trailing~2e');
    expect(encodeName('.htaccess')).toBe('~2ehtaccess');
    expect(encodeName('con')).toBe('~63on');
    expect(encodeName('com1.txt')).toBe('~63om1.txt');
    expect(encodeName('1-abc.def')).toBe('1-abc.def');
    expect(encodeName('é')).toBe('~c3~a9');
  });

  it('ignores names that are not ours: temporary uploads, foreign files, non-canonical spellings', () => {
    for (const name of ['~tmp-0a1b', 'Thumbs.db', '.DS_Store', '~C3~A9', '~4', '~zz', 'a~', '~2f', '~2e', '~ff']) expect(decodeName(name)).toBeUndefined();
  });

  it('names collections apart from objects, so `p/abc` and `p/abc/d` can coexist', () => {
    expect(collectionName('abc')).toBe('abc~');
    expect(classifyName('abc~', true)).toEqual({ kind: 'collection', segment: 'abc' });
    expect(classifyName('abc', false)).toEqual({ kind: 'object', segment: 'abc' });
    expect(classifyName('abc', true)).toBeUndefined(); // a collection without our suffix
    expect(classifyName('abc~', false)).toBeUndefined();
    expect(keyPath('p/abc/d')).toEqual({ collections: ['p~', 'abc~'], name: 'd' });
  });

  it('refuses a key whose escaped segment exceeds 255 bytes', () => {
    expect(() => keyPath(`a/${'日'.repeat(40)}`)).toThrow(expect.objectContaining({ code: 'InvalidKey' }));
    expect(() => keyPath(`a/${'x'.repeat(255)}`)).not.toThrow();
  });
});
