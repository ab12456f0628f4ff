/**
 * `npm run docs` (TypeDoc over every package's public entry points) renders with no warning:
 * an exported declaration without a doc comment, a broken `{@link}`, or a type the docs reach but
 * no entry point exports fails here. There is no list of exceptions (the last ones, the CLI's
 * JSON shapes, went in favour of their generated JSON Schema, which documents every field).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('..', import.meta.url));

it(
  'npm run docs renders the API reference without a warning',
  async () => {
    const out = mkdtempSync(join(tmpdir(), 'syncacross-api-docs-'));
    try {
      const result = await run('npm', ['run', 'docs', '--', '--out', out], { cwd: ROOT, timeout: 8 * 60_000, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1' } }).catch(
        (e: Error & { stdout?: string; stderr?: string }) => ({ failed: e.message, stdout: e.stdout ?? '', stderr: e.stderr ?? '' }),
      );
      const output = `${result.stdout}\n${result.stderr}`;
      expect(output).not.toMatch(/\[warning\]|\[error\]/);
      expect('failed' in result ? result.failed : undefined, output).toBeUndefined();
      expect(output).toContain('html generated');
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  },
  9 * 60_000,
);
