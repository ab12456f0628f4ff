/** The package as npm would install it: the bin has its shebang, every export points at a built file. */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import './helpers.js'; // fails clearly when the package is not built

const root = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8'));

it('bin starts with a node shebang', () => {
  expect(readFileSync(`${root}${pkg.bin.syncacross}`, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
});

it('every exports entry exists', () => {
  const targets: string[] = [];
  for (const value of Object.values(pkg.exports) as (string | Record<string, string>)[]) targets.push(...(typeof value === 'string' ? [value] : Object.values(value)));
  for (const t of targets) expect(existsSync(`${root}${t}`), t).toBe(true);
});
