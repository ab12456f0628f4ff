/** `syncacross demo`: with nothing but a checkout, two nodes, a conflict, in a few seconds. */
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { demoOutput } from '../src/json-output.js';
import { cleanup, run, runJson, snapshot, tempDir } from './helpers.js';

afterAll(cleanup);

it('syncs two nodes through a local folder and shows the conflict copy', async () => {
  const dir = await tempDir();
  // How long it takes is a benchmark's business, not a unit test's: under load it varies.
  const r = await run(['demo', dir]);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout).toMatch(/notes\/todo\.sync-conflict-\d{8}-\d{6}-[0-9a-f]{8}\.md/);
  expect(r.stdout).toContain("bob's folder is identical");
  const alice = await snapshot(join(dir, 'alice'));
  expect(await snapshot(join(dir, 'bob'))).toEqual(alice);
  expect(Object.values(alice).filter((t) => t.includes('(alice)') || t.includes('(bob)'))).toHaveLength(2); // both edits kept

  // The demo's folders are real libraries: the other commands work on them.
  const conflicts = await run(['conflicts', join(dir, 'alice')]);
  expect(conflicts.stdout).toContain('conflicts with notes/todo.md');
});

it('prints one JSON summary with --json', async () => {
  const r = await runJson(['demo', await tempDir()]);
  expect(r.code).toBe(0);
  const out = demoOutput.parse(r.json);
  expect(out.identical).toBe(true);
  expect(out.conflicts).toHaveLength(1);
});
