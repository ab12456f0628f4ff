/**
 * `syncacross gc` as a user runs it over a folder remote: the first run writes a checkpoint and
 * deletes nothing (it is younger than the margin); `--margin 0s` collects; the other machine and
 * a new one lose nothing, `verify` stays clean, `--dry-run` deletes nothing; refusals say why
 * and change nothing.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { checkJsonSchema } from './json-schema-check.js';
import { cleanup, FAST, finish, run, runJson, start } from './helpers.js';
import { objects, twoMachines } from './two-machines.js';

afterAll(cleanup);
const schema = JSON.parse(readFileSync(fileURLToPath(new URL('../schema/json-output.schema.json', import.meta.url)), 'utf8')) as { $defs: Record<string, object> };

describe('gc from the command line', () => {
  it('collects the history a checkpoint holds; both machines and a new one keep every file', async () => {
    const { base, a, b, remote } = await twoMachines();
    const segments = objects(remote, 'log');
    expect(segments).toBeGreaterThanOrEqual(7);

    const first = await runJson(['gc', a]);
    expect(first.code, first.stderr).toBe(0);
    expect(checkJsonSchema(schema.$defs.gc!, first.json)).toEqual([]);
    expect(first.json.wrote).not.toBeNull();
    expect(first.json.deleted).toBe(0);
    expect(first.json.notices.join('\n')).toMatch(/younger than the margin/);

    const dry = await run(['gc', a, '--margin', '0s', '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(new RegExp(`Would delete ${segments} segments`));
    expect(objects(remote, 'log')).toBe(segments);

    const done = await runJson(['gc', a, '--margin', '0s']);
    expect(done.code, done.stderr).toBe(0);
    expect(done.json.segments.length).toBe(segments);
    expect(objects(remote, 'log')).toBe(0);

    const bs = await runJson(['sync', b, ...FAST]);
    expect(bs.code, bs.stderr).toBe(0);
    expect(objects(remote, 'log')).toBe(0); // nothing sent out again
    const c = join(base, 'c');
    expect((await run(['init', c, '--remote', `fs:${remote}`])).code).toBe(0);
    expect((await run(['sync', c, ...FAST])).code).toBe(0);
    for (const f of ['paper.pdf', 'notes/a.md', 'b-0.md', 'b-2.md']) expect(readFileSync(join(c, f), 'utf8')).toBe(readFileSync(join(a, f), 'utf8'));
    for (const dir of [a, b, c]) {
      const v = await runJson(['verify', dir]);
      expect(v.code, v.stderr).toBe(0);
      expect(v.json.problems).toEqual([]);
    }
    const log = await run(['log', 'notes/a.md', '-d', c]);
    expect(log.stdout.match(/^\S+\s/gm)?.length ?? 0).toBeGreaterThanOrEqual(4); // every version of a.md is still history
  });

  it('while watch owns the library, gc says the watcher collects on its own (exit 6)', async () => {
    const { a } = await twoMachines();
    const watcher = start(['watch', a, '--interval', '60']);
    try {
      const deadline = Date.now() + 30_000;
      while (!existsSync(join(a, '.syncacross', 'watch.sock')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      const r = await run(['gc', a, '--margin', '0s']);
      expect(r.code).toBe(6);
      expect(r.stderr).toMatch(/being synced by another process.*collects on its own once 1,000 history segments are listed/s);
    } finally {
      watcher.kill('SIGINT');
      await finish(watcher);
    }
  });

  it('refuses a repository made by an earlier release (format 2), and a margin it cannot read, changing nothing', async () => {
    const { a, remote } = await twoMachines('2');
    const segments = objects(remote, 'log');
    const r = await run(['gc', a, '--margin', '0s']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/format 2, made by an earlier release; its history cannot be collected until it is upgraded \(`syncacross upgrade`/);
    expect(objects(remote, 'log')).toBe(segments);
    const bad = await run(['gc', a, '--margin', 'soon']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--margin takes a span/);
  });
});
