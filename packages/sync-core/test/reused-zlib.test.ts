/**
 * codec/reused-zlib.ts drives one zlib stream per dictionary through Node's internal handle,
 * reset between inputs. What it writes must be the one-shot `deflateRawSync`'s bytes exactly, and
 * what it reads the one-shot inflate's answer, on every runtime the tests run on; a damaged,
 * truncated or hostile payload must give undefined (never throw, never abort the process, never
 * spoil the next input), as the one-shot inflate does.
 */
import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { deflateOptions } from '../src/codec/compression.js';
import { deflateRawWithDictionary, inflateOnce, inflateRawWithDictionary } from '../src/codec/reused-zlib.js';
import { bytes, hostileVersions, text } from './codec-inputs.js';

const inputs = (seed: string) => [
  ...[1, 63, 64, 100, 1000, 4096, 4097, 8191].map((n) => text(n, `${seed}/t${n}`)),
  ...[64, 4096, 8000].map((n) => bytes(n, `${seed}/r${n}`)), // incompressible: stored blocks, the output larger than the input
  Buffer.concat([text(2048, `${seed}/a`), bytes(2048, `${seed}/b`)]),
];

describe('deflate and inflate through a stream kept per dictionary', () => {
  it('writes the very bytes deflateRawSync writes, input after input, with two dictionaries taking turns', () => {
    const dictionaries = [text(16 * 1024, 'dict-a'), Buffer.concat([text(8 * 1024, 'dict-b'), bytes(8 * 1024, 'dict-b')])];
    for (let round = 0; round < 3; round++) {
      for (const input of inputs(`round${round}`)) {
        for (const dictionary of dictionaries) {
          const options = deflateOptions(input.byteLength, dictionary.byteLength);
          const expected = deflateRawSync(input, { ...options, dictionary });
          const written = deflateRawWithDictionary(input, options, dictionary);
          expect(Buffer.compare(written, expected), `${input.byteLength} bytes, round ${round}`).toBe(0);
          const read = inflateRawWithDictionary(written, input.byteLength, dictionary);
          expect(read && Buffer.compare(read, input)).toBe(0);
        }
      }
    }
  });

  it('gives undefined for a damaged, truncated, padded, longer or shorter payload, as the one-shot inflate does, and reads the next one right', () => {
    const dictionary = text(16 * 1024, 'dict-c');
    const input = text(4096, 'page');
    const good = deflateRawSync(input, { ...deflateOptions(4096, dictionary.byteLength), dictionary });
    const hostile = hostileVersions(good, 4096, 7);
    for (const [what, payload, length] of hostile) {
      const read = inflateRawWithDictionary(payload, length, dictionary);
      const once = inflateOnce(payload, length, dictionary);
      // The one-shot's answer, exactly: undefined, or (a changed byte zlib cannot tell) the same wrong bytes a hash then refuses.
      expect(read === undefined ? undefined : Buffer.from(read).toString('hex'), what).toBe(once === undefined ? undefined : Buffer.from(once).toString('hex'));
      const next = inflateRawWithDictionary(good, 4096, dictionary);
      expect(next && Buffer.compare(next, input), `the input after: ${what}`).toBe(0);
    }
  });

  it('a payload made with another dictionary does not read as the chunk', () => {
    const input = text(4096, 'page');
    const written = deflateRawWithDictionary(input, deflateOptions(4096, 16 * 1024), text(16 * 1024, 'one'));
    const read = inflateRawWithDictionary(written, 4096, text(16 * 1024, 'other'));
    expect(read && Buffer.compare(read, input)).not.toBe(0);
  });
});
