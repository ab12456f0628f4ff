/**
 * `syncacross restore --dry-run`: says what a restore would write (into a folder, in place, or
 * from the remote alone), what is already so and what it would refuse, and writes nothing; the
 * restore run next does exactly what it announced. Real CLI processes over a folder remote.
 */
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { checkJsonSchema } from './json-schema-check.js';
import { cleanup, FAST, run, runJson, snapshot, tempDir, writeFiles } from './helpers.js';

afterAll(cleanup);
const schema = JSON.parse(readFileSync(fileURLToPath(new URL('../schema/json-output.schema.json', import.meta.url)), 'utf8')) as { $defs: Record<string, object> };

type Plan = { dryRun?: true; restored: { path: string; size: number }[]; unchanged: string[]; failed: { path: string; reason: string }[] };
const paths = (o: Plan) => o.restored.map((f) => f.path).sort();

/** A library whose notes.md and old.md each had two versions (old.md emptied the second time). */
async function library() {
  const base = await tempDir();
  const dir = join(base, 'lib');
  const remote = join(base, 'remote');
  await writeFiles(dir, { 'notes.md': 'first\n', 'old.md': 'kept a while\n', 'docs/a.md': 'a\n' });
  expect((await run(['init', dir, '--remote', `fs:${remote}`, '-o', 'createRoot=true'])).code).toBe(0);
  expect((await run(['sync', dir, ...FAST])).code).toBe(0);
  // The moment of the first sync's last version (old.md is scanned last): all three files exist then.
  const first = (await runJson(['log', '-d', dir, 'old.md'])).json.entries[0].hash as string;
  await writeFile(join(dir, 'notes.md'), 'second, longer\n');
  await writeFile(join(dir, 'old.md'), '');
  expect((await run(['sync', dir, ...FAST])).code).toBe(0);
  return { base, dir, remote, first };
}

describe('restore --dry-run', () => {
  it('--to: lists every entry it would write, creates nothing, and the restore then writes exactly those', async () => {
    const { base, dir, first } = await library();
    const to = join(base, 'out');
    const plan = await runJson(['restore', '--at', first, '--to', to, '-d', dir, '--dry-run']);
    expect(plan.code, plan.stderr).toBe(0);
    expect(checkJsonSchema(schema.$defs.restore!, plan.json)).toEqual([]);
    expect(plan.json.dryRun).toBe(true);
    expect(existsSync(to)).toBe(false);
    const text = await run(['restore', '--at', first, '--to', to, '-d', dir, '-n']);
    expect(text.stdout).toMatch(/would restore\s+notes\.md/);
    expect(text.stdout).toMatch(/Would restore \d+ entries .* nothing was written \(--dry-run\)/);
    const real = await runJson(['restore', '--at', first, '--to', to, '-d', dir]);
    expect(real.code, real.stderr).toBe(0);
    expect(real.json.dryRun).toBeUndefined();
    expect(paths(real.json)).toEqual(paths(plan.json));
    expect((await snapshot(to))['notes.md']).toBe('first\n');
  });

  it('in place: what is already so, what would come back, and a file changed since the last sync refused; nothing written or synced', async () => {
    const { dir, remote, first } = await library();
    await writeFile(join(dir, 'old.md'), 'edited here, not synced\n');
    const before = await snapshot(dir);
    const remoteBefore = await snapshot(remote);
    const plan = await runJson(['restore', '--at', first, '--in-place', '-d', dir, '--dry-run']);
    expect(plan.code).toBe(8); // a path it would refuse: as the restore itself would exit
    expect(plan.json.sync).toBeUndefined();
    expect(paths(plan.json)).toContain('notes.md');
    expect(plan.json.failed).toEqual([{ path: 'old.md', code: 'ChangedSinceSync', reason: expect.stringMatching(/changed since the last sync/) }]);
    expect(plan.json.unchanged).toEqual(['docs/a.md']);
    expect(await snapshot(dir)).toEqual(before);
    expect(await snapshot(remote)).toEqual(remoteBefore);

    const real = await runJson(['restore', '--at', first, '--in-place', '-d', dir]);
    expect(paths(real.json)).toEqual(paths(plan.json));
    expect(real.json.failed.map((f: { path: string }) => f.path)).toEqual(['old.md']);
    expect(real.json.unchanged).toEqual(plan.json.unchanged);
    expect((await snapshot(dir))['notes.md']).toBe('first\n');
  });

  it('--remote with no library: reads the repository, lists what it would write, writes nothing', async () => {
    const { base, remote } = await library();
    const to = join(base, 'fresh');
    const plan = await runJson(['restore', '--remote', `fs:${remote}`, '--to', to, '--dry-run']);
    expect(plan.code, plan.stderr).toBe(0);
    expect(paths(plan.json)).toEqual(['docs/a.md', 'notes.md', 'old.md']);
    expect(existsSync(to)).toBe(false);
  });
});
