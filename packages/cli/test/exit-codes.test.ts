/**
 * Exit codes mean exactly what the README's table says: the table, `--help` and the code agree,
 * and a sync that lost and skipped nothing exits 0 even when it has something to tell.
 */
import { cp, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StorageError, SyncError } from '@syncacross/sync-core';
import { afterAll, describe, expect, it } from 'vitest';
import { EXIT, EXIT_CODE_HELP, EXIT_MEANINGS, toCliError } from '../src/exit-codes.js';
import { syncOutput } from '../src/json-output.js';
import { cleanup, FAST, run, runJson, tempDir, writeFiles } from './helpers.js';

afterAll(cleanup);

const README = fileURLToPath(new URL('../README.md', import.meta.url));

/** The rows of the "## Exit codes" table, as [code, meaning]. */
async function readmeTable(): Promise<[number, string][]> {
  const text = await readFile(README, 'utf8');
  const section = text.slice(text.indexOf('## Exit codes'));
  const table = section.slice(0, section.indexOf('\n\n', section.indexOf('| code |')));
  return [...table.matchAll(/^\| (\d+) \| (.*) \|$/gm)].map((m) => [Number(m[1]), m[2]!]);
}

describe('the documented exit codes', () => {
  it('the README table, EXIT and EXIT_MEANINGS list the same codes with the same words', async () => {
    const rows = await readmeTable();
    expect(rows.map(([c]) => c).sort((a, b) => a - b)).toEqual(Object.values(EXIT).sort((a, b) => a - b));
    expect(Object.fromEntries(rows)).toEqual(Object.fromEntries(Object.entries(EXIT_MEANINGS).map(([c, m]) => [Number(c), m])));
  });

  it('`--help` prints every code with its meaning', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    for (const [code, meaning] of Object.entries(EXIT_MEANINGS)) expect(r.stdout.replace(/\s+/g, ' ')).toContain(`${code} ${meaning}`.replace(/\s+/g, ' '));
    expect(r.stdout).toContain(EXIT_CODE_HELP.split('\n')[0]!);
  });

  it('a transient storage answer is 3 (try again later), never 1 (a bug)', () => {
    for (const code of ['NotFound', 'PreconditionFailed', 'Corrupt', 'Unavailable', 'RateLimited'] as const) {
      expect(toCliError(new StorageError(code, 'x')).exitCode, code).toBe(EXIT.unreachable);
    }
    expect(toCliError(new SyncError('Aborted', 'x')).exitCode).toBe(EXIT.interrupted);
  });
});

describe('notices are not errors', () => {
  it('a node restored from an older copy exits 0 with a notice, nothing skipped or lost', async () => {
    const base = await tempDir();
    const dir = join(base, 'lib');
    await writeFiles(dir, { 'a.md': 'first\n' });
    expect((await run(['init', dir, '--remote', `fs:${base}/remote`, '-o', 'createRoot=true'])).code).toBe(0);
    expect((await run(['sync', dir, ...FAST])).code).toBe(0);
    await cp(join(dir, '.syncacross'), join(base, 'backup'), { recursive: true });
    await writeFiles(dir, { 'b.md': 'second\n' });
    expect((await run(['sync', dir, ...FAST])).code).toBe(0);
    // The disk dies; the state comes back from the backup.
    await rm(join(dir, '.syncacross'), { recursive: true });
    await cp(join(base, 'backup'), join(dir, '.syncacross'), { recursive: true });

    const r = await runJson(['sync', dir, ...FAST]);
    expect(r.code, r.stderr).toBe(0);
    const out = syncOutput.parse(r.json);
    expect(out.exitCode).toBe(0);
    expect(out.errors).toEqual([]);
    expect(out.notices.join('\n')).toMatch(/restored from an older copy or cloned.*nothing was lost/);
    expect(out.retiredWriter).toBeDefined();
    const human = await run(['sync', dir, ...FAST]);
    expect(human.code).toBe(0);
  });
});
