/**
 * `syncacross retention` and `gc` as a user runs them over a folder remote (format 7, the default):
 * shown with no flag; set with flags (checked against the JSON schema); refused with a clear
 * message for bad flags; `gc` then prunes older versions and deletes their history segments, and
 * the other machine ends with every current file, no conflict copy, and nothing sent out again.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { checkJsonSchema } from './json-schema-check.js';
import { cleanup, FAST, run, runJson } from './helpers.js';
import { objects, twoMachines } from './two-machines.js';

afterAll(cleanup);
const schema = JSON.parse(readFileSync(fileURLToPath(new URL('../schema/json-output.schema.json', import.meta.url)), 'utf8')) as { $defs: Record<string, object> };

describe('retention from the command line', () => {
  it('shows, sets and prunes by a policy; the other machine keeps every current file', async () => {
    const { a, b, remote } = await twoMachines();
    const shown = await run(['retention', a]);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(/Retention policy of the repository on .*: keep every version\./);

    const bad = await run(['retention', a, '--keep-last', 'two']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--keep-last takes a whole number, got "two"/);
    expect((await run(['retention', a, '--keep-last', '0'])).stderr).toMatch(/to keep every version, give --keep-all/);
    expect(objects(remote, 'retention')).toBe(0);

    const set = await runJson(['retention', a, '--keep-last', '1', '--keep-within', '0s']);
    expect(set.code, set.stderr).toBe(0);
    expect(checkJsonSchema(schema.$defs.retention!, set.json)).toEqual([]);
    expect(set.json).toMatchObject({ policy: { keepLast: 1 }, changed: true });
    expect(objects(remote, 'retention')).toBe(1);
    const onB = await runJson(['retention', b]);
    expect(onB.json).toMatchObject({ policy: { keepLast: 1 }, changed: false });

    const versionsBefore = (await runJson(['log', '-d', a])).json.entries.length as number;
    const gc = await runJson(['gc', a, '--margin', '0s']);
    expect(gc.code, gc.stderr).toBe(0);
    expect(checkJsonSchema(schema.$defs.gc!, gc.json)).toEqual([]);
    expect(gc.json.wrote.pruned).toBe(3); // notes/a.md had four versions: the newest stays
    expect(gc.json.checkpoint.pruned).toBe(true);
    expect(objects(remote, 'log')).toBe(1); // what is left: the announcement of the packs it condemned
    expect((await runJson(['log', '-d', a])).json.entries.length).toBe(versionsBefore - 3);
    // The packs of a.md's first two edits hold nothing kept now (its first version shares
    // paper.pdf's): condemned now, deleted by a later gc once that has been announced for the margin.
    expect(gc.json.unneededPacks).toEqual({ count: 2, bytes: expect.any(Number) });
    expect(gc.json.packs).toEqual({ condemned: [expect.stringMatching(/^packs\//), expect.stringMatching(/^packs\//)], repacked: [], copiedBytes: 0, deleted: [], withdrawn: [], waiting: 0 });
    const packs = objects(remote, 'packs');
    const told = await run(['gc', a, '--margin', '0s', '--dry-run']);
    expect(told.stdout).toMatch(/Would delete .*, and 2 packs nothing needs any more/);
    expect(objects(remote, 'packs')).toBe(packs);
    const again = await runJson(['gc', a, '--margin', '0s']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.json.packs.deleted).toHaveLength(2);
    expect(objects(remote, 'packs')).toBe(packs - 2);
    const logNow = objects(remote, 'log');

    const bs = await runJson(['sync', b, ...FAST]);
    expect(bs.code, bs.stderr).toBe(0);
    expect(objects(remote, 'log')).toBe(logNow); // nothing sent out again
    for (const f of ['paper.pdf', 'notes/a.md', 'b-0.md', 'b-2.md']) expect(readFileSync(join(b, f), 'utf8')).toBe(readFileSync(join(a, f), 'utf8'));
    expect((await runJson(['status', b])).json.conflicts).toEqual([]);

    const all = await run(['retention', b, '--keep-all']);
    expect(all.code, all.stderr).toBe(0);
    expect((await runJson(['retention', a])).json.policy).toBeNull();
  });
});
