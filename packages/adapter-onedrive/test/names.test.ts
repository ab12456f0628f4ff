/** Key encoding: every key maps to names OneDrive accepts, distinct even when case is folded. */
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { decodeName, encodeName } from '../src/names.js';
import { parseChildName, folderName } from '../src/names.js';
import { nameProblem } from '../src/emulator/names.js';

// Segments the core refuses (control characters, backslash) never reach an adapter.
const segment = fc
  .string({ unit: 'grapheme', minLength: 1, maxLength: 20 })
  .map((s) => s.normalize('NFC'))
  // eslint-disable-next-line no-control-regex -- the control characters are what the filter removes
  .filter((s) => s !== '.' && s !== '..' && !s.includes('/') && !/[\u0000-\u001f\u007f\\]/.test(s));

describe('OneDrive names for key segments', () => {
  test.prop([segment])('round-trip, and are valid names even on Business drives (# and % refused)', (s) => {
    const name = encodeName(s);
    expect(decodeName(name)).toBe(s);
    expect(nameProblem(name, true)).toBeUndefined();
    expect(nameProblem(folderName(s), true)).toBeUndefined();
    expect(parseChildName(folderName(s), true)).toBe(s);
    expect(parseChildName(name, true)).toBeUndefined(); // a file name never reads as a folder name
  });

  test.prop([segment, segment])('two different segments never collide once case is folded', (a, b) => {
    fc.pre(a !== b);
    expect(encodeName(a).toLowerCase()).not.toBe(encodeName(b).toLowerCase());
  });

  it("handles the suite's hard cases and Windows leftovers", () => {
    for (const s of ['sp ace+plus%25#hash?q:c*st<>|"', 'trailing.', 'CaseA', 'casea', 'CON', 'nul.txt', 'lpt1', '.lock', 'desktop.ini', 'a_vti_b', '~$x', ' lead', 'trail ']) {
      expect(nameProblem(encodeName(s), true), s).toBeUndefined();
      expect(decodeName(encodeName(s))).toBe(s);
    }
    expect(encodeName('CaseA')).not.toBe(encodeName('casea'));
    expect(encodeName('log')).toBe('log'); // engine keys stay readable
    expect(encodeName('00000012-3fa9c0')).toBe('00000012-3fa9c0');
  });

  it('ignores names it did not write', () => {
    for (const foreign of ['Report.docx', 'a~zz', 'a~4', 'UPPER', 'folder~~']) expect(decodeName(foreign)).toBeUndefined();
  });
});
