/**
 * What a library path may be (local/paths.ts), checked by every scan and for every path a remote
 * names: printable ASCII takes a shortcut past normalization, so the same verdicts are pinned
 * for ASCII and for everything else.
 */
import { describe, expect, it } from 'vitest';
import { libraryPathProblem, nfc } from '../../src/local/paths.js';

describe('library paths', () => {
  it('refuses what could escape the library or name two files, ASCII or not', () => {
    const bad: [string, string][] = [
      ['', 'empty'],
      ['a\u0000b', 'contains NUL'],
      ['tab\there', 'contains a control character'],
      ['caf\u00e9\u0001', 'contains a control character'],
      ['back\\slash', 'contains a backslash'],
      ['/etc/passwd', 'absolute'],
      ['C:/win', 'has a drive letter'],
      ['Cafe\u0301.txt', 'not NFC'],
      ['a//b', 'has a "" segment'],
      ['a/../b', 'has a ".." segment'],
      ['./a', 'has a "." segment'],
      ['.syncacross/state.db', 'inside the state folder'],
      ['\u00e9t\u00e9/../x', 'has a ".." segment'],
    ];
    for (const [path, why] of bad) expect(libraryPathProblem(path), JSON.stringify(path)).toBe(why);
  });

  it('takes names people write, in NFC, whatever their script', () => {
    for (const path of ['notes.md', 'a b/c~d!e.txt', 'Caf\u00e9.txt', '\u65e5\u672c\u8a9e/\u30e1\u30e2.txt', 'emoji \u{1f600}.txt', '.syncacrossignore', 'x/.syncacross']) {
      expect(libraryPathProblem(path), path).toBeUndefined();
    }
  });

  it('nfc leaves ASCII as it is and composes the rest', () => {
    expect(nfc('plain/ascii.txt')).toBe('plain/ascii.txt');
    expect(nfc('Cafe\u0301.txt')).toBe('Caf\u00e9.txt');
    expect(nfc('Caf\u00e9.txt')).toBe('Caf\u00e9.txt');
  });
});
