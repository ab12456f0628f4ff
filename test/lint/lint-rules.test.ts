/**
 * The house rules `npm run lint` enforces (eslint.config.mjs, dpdm) catch what they are meant to:
 * each rule is fed a deliberately bad file and must report it, and a good one must pass. A lint
 * setup that silently stopped applying a rule (a glob that no longer matches, a plugin that
 * skips type imports) would otherwise look like a clean codebase.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const eslint = new ESLint({ cwd: root });
const rulesHit = async (code: string, filePath: string) => (await eslint.lintText(code, { filePath: join(root, filePath) }))[0]!.messages.map((m) => m.ruleId);

describe('eslint house rules', () => {
  it('a lower layer importing a higher one is an error (local/ → engine/)', async () => {
    const code = "import { runRound } from '../engine/round.js';\nexport const x = runRound;\n";
    expect(await rulesHit(code, 'packages/sync-core/src/local/upward.ts')).toContain('import-x/no-restricted-paths');
    expect(await rulesHit(code, 'packages/sync-core/src/engine/sideways.ts')).not.toContain('import-x/no-restricted-paths');
  }, 60_000);

  it('a production file over 300 lines, or a function over 60, is an error; tests are exempt', async () => {
    const longFile = Array.from({ length: 305 }, (_, i) => `export const v${i} = ${i};`).join('\n') + '\n';
    expect(await rulesHit(longFile, 'packages/sync-core/src/engine/long.ts')).toContain('max-lines');
    const longFunction = `export function f(): number {\n  let n = 0;\n${'  n++;\n'.repeat(61)}  return n;\n}\n`;
    expect(await rulesHit(longFunction, 'packages/adapter-s3/src/long.ts')).toContain('max-lines-per-function');
    expect(await rulesHit(longFunction, 'packages/adapter-s3/test/long.test.ts')).not.toContain('max-lines-per-function');
    expect(await rulesHit('export const ok = 1;\n', 'packages/sync-core/src/engine/short.ts')).toEqual([]);
  }, 60_000);
});

describe('import cycles (dpdm), type-only imports included', () => {
  const dir = mkdtempSync(join(tmpdir(), 'syncacross-lint-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const cycles = (files: Record<string, string>) => {
    const at = mkdtempSync(join(dir, 'case-'));
    for (const [name, text] of Object.entries(files)) writeFileSync(join(at, name), text);
    const r = spawnSync(process.execPath, [join(root, 'node_modules/dpdm/lib/bin/dpdm.js'), '--no-warning', '--no-tree', '--exit-code', 'circular:1', join(at, '*.ts')], { encoding: 'utf8' });
    return r.status;
  };

  it('two modules importing each other, even only for types, fail the check', () => {
    expect(cycles({ 'a.ts': "import type { B } from './b.js';\nexport interface A { b?: B }\n", 'b.ts': "import type { A } from './a.js';\nexport interface B { a?: A }\n" })).toBe(1);
  }, 60_000);

  it('a one-way import passes', () => {
    expect(cycles({ 'a.ts': "import type { B } from './b.js';\nexport interface A { b?: B }\n", 'b.ts': 'export interface B { n: number }\n' })).toBe(0);
  }, 60_000);
});
