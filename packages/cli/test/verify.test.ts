/**
 * `syncacross verify` as a user runs it over a folder remote: exit 0 on a healthy remote, exit 8
 * naming the object and the files for a missing pack, a truncated pack, a flipped byte (with
 * --read-data) and a missing segment; `--repair` puts lost packs back from this machine's files.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { checkJsonSchema } from './json-schema-check.js';
import { cleanup, FAST, run, runJson, tempDir, writeFiles } from './helpers.js';

afterAll(cleanup);
const schema = JSON.parse(readFileSync(fileURLToPath(new URL('../schema/json-output.schema.json', import.meta.url)), 'utf8')) as { $defs: Record<string, object> };

/** A synced library over a folder remote, and the remote's objects under a prefix. */
async function library() {
  const base = await tempDir();
  const dir = join(base, 'lib');
  const remote = join(base, 'remote');
  await writeFiles(dir, { 'paper.pdf': 'p'.repeat(20_000), 'notes/a.md': 'a\n' });
  expect((await run(['init', dir, '--remote', `fs:${remote}`, '-o', 'createRoot=true'])).code).toBe(0);
  expect((await run(['sync', dir, ...FAST])).code).toBe(0);
  const objects = (prefix: string) =>
    readdirSync(join(remote, prefix), { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => join(e.parentPath, e.name));
  return { dir, remote, objects };
}

describe('verify from the command line', () => {
  it('passes on a healthy remote, reading every byte; --json matches the schema', async () => {
    const { dir } = await library();
    const r = await runJson(['verify', dir, '--read-data']);
    expect(r.code, r.stderr).toBe(0);
    expect(checkJsonSchema(schema.$defs.verify!, r.json)).toEqual([]);
    expect(r.json.problems).toEqual([]);
    expect(r.json.packs.read).toBe(r.json.packs.inUse);
  });

  it('a missing pack: exit 8 naming it and the files; --repair puts it back from this machine', async () => {
    const { dir, objects } = await library();
    for (const pack of objects('packs')) await rm(pack);
    const r = await run(['verify', dir]);
    expect(r.code).toBe(8);
    expect(r.stderr).toMatch(/pack-missing: packs\/[0-9a-f]+ is missing from the remote; affects .*paper\.pdf/);
    const repaired = await runJson(['verify', dir, '--repair', '--retries', '0']);
    expect(repaired.code, repaired.stderr).toBe(0);
    expect(checkJsonSchema(schema.$defs.verify!, repaired.json)).toEqual([]);
    expect(repaired.json.repair.found.length).toBeGreaterThan(0);
    expect((await run(['verify', dir, '--read-data'])).code).toBe(0);
  });

  it('a truncated pack, a flipped byte (seen only with --read-data) and a missing segment: exit 8 each', async () => {
    const { dir, objects } = await library();
    const [pack] = objects('packs');
    const bytes = await readFile(pack!);
    bytes[5]! ^= 1;
    await writeFile(pack!, bytes);
    expect((await run(['verify', dir])).code).toBe(0);
    const flipped = await run(['verify', dir, '--read-data=100']);
    expect([flipped.code, flipped.stderr]).toEqual([8, expect.stringMatching(/pack-damaged: packs\/[0-9a-f]+ does not match its name/)]);
    await truncate(pack!, 10);
    const short = await run(['verify', dir]);
    expect([short.code, short.stderr]).toEqual([8, expect.stringMatching(/pack-short: .*affects/)]);
    for (const segment of objects('log')) await rm(segment);
    const noSegment = await run(['verify', dir]);
    expect([noSegment.code, noSegment.stderr]).toEqual([8, expect.stringMatching(/segment-missing: log\/\S+ was applied here but is no longer on the remote; affects notes\/a\.md, paper\.pdf/)]);
  });

  it('a share of the packs, chosen by a seed that is printed and can be given again', async () => {
    const { dir } = await library();
    const r = await runJson(['verify', dir, '--read-data=50', '--seed', '42']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.sample).toMatchObject({ percent: 50, seed: 42 });
    expect((await run(['verify', dir, '--read-data=150'])).code).toBe(2);
  });
});
