/**
 * `syncacross upgrade` as a user runs it over a folder remote made by an earlier release (format
 * 2, upgraded to 4): `--dry-run` names every machine and writes nothing; the upgrade goes through when every
 * machine that writes has synced with this release, and `gc` then collects with the other machine
 * losing nothing and sending nothing again; a machine still on an earlier release blocks it
 * (exit 2, named, nothing changed).
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { checkJsonSchema } from './json-schema-check.js';
import { cleanup, FAST, run, runJson } from './helpers.js';
import { objects, twoMachines } from './two-machines.js';

afterAll(cleanup);
const schema = JSON.parse(readFileSync(fileURLToPath(new URL('../schema/json-output.schema.json', import.meta.url)), 'utf8')) as { $defs: Record<string, object> };

describe('upgrade from the command line', () => {
  it('upgrades a format-2 repository once every machine follows; gc then collects and the other machine loses nothing', async () => {
    const { base, a, b, remote } = await twoMachines('2');
    const dry = await runJson(['upgrade', a, '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(checkJsonSchema(schema.$defs.upgrade!, dry.json)).toEqual([]);
    expect(dry.json).toMatchObject({ dryRun: true, from: 2, to: 7, upgraded: false });
    expect(dry.json.writers).toHaveLength(2);
    expect(dry.json.writers.every((w: { ready: boolean; machine: string | null }) => w.ready && w.machine !== null)).toBe(true);
    expect(objects(remote, 'upgrades')).toBe(0);

    const up = await run(['upgrade', a]);
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).toMatch(/Upgraded the repository on .* from format 2 to 7\. The other machines follow within the hour/);
    expect(objects(remote, 'upgrades')).toBe(1);
    const again = await run(['upgrade', a]);
    expect(again.stdout).toMatch(/is format 7, the newest this release knows: nothing to upgrade/);
    const status = await runJson(['status', a]);
    expect(status.json.format).toBe(7);

    const segments = objects(remote, 'log');
    const gc = await runJson(['gc', a, '--margin', '0s']);
    expect(gc.code, gc.stderr).toBe(0);
    expect(gc.json.deleted).toBeGreaterThanOrEqual(segments);
    expect(objects(remote, 'log')).toBe(0);

    // B has not looked for an upgrade this hour: the vanished history makes it look now.
    const bs = await runJson(['sync', b, ...FAST]);
    expect(bs.code, bs.stderr).toBe(0);
    expect(bs.json.notices.join('\n')).toMatch(/upgraded to format 7/);
    expect(objects(remote, 'log')).toBe(0); // nothing sent out again
    const c = join(base, 'c');
    expect((await run(['init', c, '--remote', `fs:${remote}`])).code).toBe(0);
    expect((await run(['sync', c, ...FAST])).code).toBe(0);
    for (const f of ['paper.pdf', 'notes/a.md', 'b-0.md', 'b-2.md']) expect(readFileSync(join(c, f), 'utf8')).toBe(readFileSync(join(a, f), 'utf8'));
  });

  it('waits for a machine still on an earlier release: names it, exits 2, changes nothing', async () => {
    const { b, remote } = await twoMachines('2');
    // A stands for a machine running an earlier release: it never said it follows upgrades.
    const aWriter = (await runJson(['status', join(remote, '..', 'a')])).json.writer as string;
    rmSync(join(remote, 'ready', aWriter));
    rmSync(join(remote, 'reads', '7', aWriter));
    const r = await run(['upgrade', b]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`the upgrade waits for 1 machine\\(s\\) that wrote in the last 30 days .*${aWriter.replace('.', '\\.')}.*Nothing was changed`));
    expect(objects(remote, 'upgrades')).toBe(0);
    const dry = await runJson(['upgrade', b, '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.json.writers.find((w: { writer: string }) => w.writer === aWriter)).toMatchObject({ ready: false, blocking: true });
    const gc = await run(['gc', b, '--margin', '0s']);
    expect(gc.code).toBe(2); // still format 2
  });
});
