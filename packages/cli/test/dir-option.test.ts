/**
 * Every command that acts on one library takes it as DIR or as `-d, --dir` (as log, ls, restore,
 * key and exclude do). Before, `syncacross sync -d ~/Library` failed with "unknown option '-d'".
 * Two different libraries, one each way, are refused.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanup, FAST, run, runJson, tempDir, writeFiles } from './helpers.js';

afterAll(cleanup);

describe('the library as -d', () => {
  it('init, sync, status, conflicts, verify, gc, upgrade and retention take it; two different ones are refused', async () => {
    const base = await tempDir();
    const dir = join(base, 'lib');
    await writeFiles(dir, { 'a.md': 'a\n' });
    const init = await runJson(['init', '-d', dir, '--remote', `fs:${base}/remote`, '-o', 'createRoot=true']);
    expect(init.code, init.stderr).toBe(0);
    expect(init.json.library).toBe(dir);
    const sync = await runJson(['sync', '-d', dir, ...FAST]);
    expect([sync.code, sync.json.local.added]).toEqual([0, 1]);
    for (const args of [['status'], ['conflicts'], ['verify'], ['gc', '--dry-run'], ['upgrade', '--dry-run'], ['retention']]) {
      const r = await runJson([...args, '--dir', dir]);
      expect(r.code, `${args[0]}: ${r.stderr}`).toBe(0);
      expect(r.json.library, args[0]).toBe(dir);
    }
    // The same library both ways is that library; two different ones are a usage error.
    expect((await run(['status', dir, '-d', `${dir}/`])).code).toBe(0);
    const two = await run(['sync', dir, '-d', base]);
    expect([two.code, two.stderr]).toEqual([2, expect.stringContaining(`two libraries given: ${dir} and -d ${base}`)]);
  });
});
