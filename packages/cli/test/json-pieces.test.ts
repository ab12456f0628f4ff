/**
 * `--json` writes a summary in pieces (json-pieces.ts) so that a list of 200,000 files is never
 * one string. The pieces must join to exactly what JSON.stringify writes, and redacting them one
 * by one must mask exactly what redacting the whole did.
 */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { jsonPieces } from '../src/json-pieces.js';
import { Output } from '../src/output.js';
import { addSecret, redact } from '../src/redact.js';

/** A small deterministic generator: the same cases on every run. */
function random(seed: number) {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
}

const SECRET = 'hunter2-is-not-a-password-7f3a';
const awkward = [
  'plain.md',
  'quote " and \\ backslash',
  'é ü 日本 😀',
  'line\nbreak\ttab',
  `${SECRET}.md`,
  'https://user:pa55word@host/x',
  '?refresh_token=abcdefghijk&x=1',
  '"api_key":"zzzzzzzz"',
  '\u0000\u001f',
];

function summary(r: () => number, files: number) {
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)]!;
  return {
    command: 'sync',
    skipped: Array.from({ length: Math.floor(r() * 3) }, () => ({ path: pick(awkward), reason: 'why' })),
    nothing: undefined,
    nested: { deep: [1, 'two', null, { three: undefined }], empty: [] },
    files: Array.from({ length: files }, (_, i) =>
      i % 97 === 0 ? undefined : { path: `${pick(awkward)}/${i}`, action: 'upload', change: r() < 0.5 ? 'new' : undefined, kind: 'file', bytes: Math.floor(r() * 1e9) },
    ),
    totalRequests: 12,
    when: new Date(0),
  };
}

describe('a summary written in pieces', () => {
  it('joins to exactly what JSON.stringify writes, for lists shorter and far longer than a piece', () => {
    const r = random(3);
    for (const files of [0, 1, 499, 500, 501, 1000, 1001, 12_345]) {
      const value = summary(r, files);
      const pieces = [...jsonPieces(value)];
      expect(pieces.join('')).toBe(JSON.stringify(value));
      if (files > 1000) expect(pieces.length).toBeGreaterThan(files / 500); // written a slice at a time, never whole
    }
    expect([...jsonPieces({})].join('')).toBe('{}');
    expect([...jsonPieces({ only: undefined })].join('')).toBe('{}');
  });

  it('is masked piece by piece exactly as the whole line was', () => {
    addSecret(SECRET);
    const value = summary(random(5), 3000);
    const out = new PassThrough();
    let written = '';
    out.on('data', (b: Buffer) => (written += b.toString('utf8')));
    new Output({ json: true }, out as unknown as NodeJS.WriteStream).result(value);
    const whole = redact(JSON.stringify({ ok: true, ...value })) + '\n';
    expect(written).toBe(whole);
    expect(written).not.toContain(SECRET);
    expect(written).not.toContain('pa55word');
    expect(written).not.toContain('abcdefghijk');
    expect(JSON.parse(written).files).toHaveLength(3000);
  });
});
