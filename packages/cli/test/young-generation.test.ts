/**
 * The `syncacross` command keeps V8's young generation at its starting size (bin/young-generation.mjs),
 * unless the user sized it: the decision, and the real command on a library large enough to make
 * the generation grow, with and without the user's size. The size is read at exit by a hook the
 * test passes to node (`--import`), which does not count as sizing.
 */
import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error: plain JavaScript beside the bin, no declarations
import { youngGenerationSizedByUser } from '../bin/young-generation.mjs';
import { cleanup, run, tempDir, writeFiles } from './helpers.js';

afterAll(cleanup);

const BIN = fileURLToPath(new URL('../bin/syncacross.mjs', import.meta.url));
const MiB = 1024 * 1024;

describe('whether the user sized the young generation', () => {
  it('yes when a semi-space size is on the command line or in NODE_OPTIONS, in either spelling', () => {
    expect(youngGenerationSizedByUser(['--max-semi-space-size=8'], undefined)).toBe(true);
    expect(youngGenerationSizedByUser(['--max_semi_space_size=8'], undefined)).toBe(true);
    expect(youngGenerationSizedByUser([], '--min-semi-space-size=4')).toBe(true);
    expect(youngGenerationSizedByUser(['--import', 'x.mjs'], '--enable-source-maps --max-semi-space-size=32')).toBe(true);
  });

  it('no otherwise, other heap sizes included', () => {
    expect(youngGenerationSizedByUser([], undefined)).toBe(false);
    expect(youngGenerationSizedByUser(['--stack-size=200', '--import', 'hook.mjs'], '--max-old-space-size=512')).toBe(false);
  });
});

describe('the real command', () => {
  it('a first sync of 3,000 notes keeps the young generation small; with the size given by the user it grows', async () => {
    const base = await tempDir();
    const notes: Record<string, string> = {};
    for (let i = 0; i < 3000; i++) notes[`n${i}.md`] = `note ${i} ${'lorem ipsum '.repeat(20)}`;
    const hook = join(base, 'new-space.mjs');
    await writeFile(
      hook,
      "import v8 from 'node:v8';\nimport { writeSync } from 'node:fs';\nprocess.on('exit', () => writeSync(2, `NEW_SPACE ${v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size}\\n`));\n",
    );
    const env = { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SYNCACROSS_') && k !== 'NODE_OPTIONS')), SYNCACROSS_CONFIG_DIR: base };
    const newSpaceAfterFirstSync = async (name: string, nodeOptions?: string): Promise<number> => {
      const lib = join(base, name);
      await writeFiles(lib, notes);
      expect((await run(['init', lib, '--remote', `fs:${join(base, `${name}-remote`)}`, '-o', 'createRoot=true'])).code).toBe(0);
      const r = spawnSync(process.execPath, ['--import', pathToFileURL(hook).href, BIN, 'sync', lib, '--json'], { env: nodeOptions ? { ...env, NODE_OPTIONS: nodeOptions } : env, encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout).ok).toBe(true);
      return Number(/NEW_SPACE (\d+)/.exec(r.stderr)?.[1]);
    };
    const kept = await newSpaceAfterFirstSync('a');
    const grown = await newSpaceAfterFirstSync('b', '--max-semi-space-size=16');
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThanOrEqual(2 * MiB);
    expect(grown).toBeGreaterThanOrEqual(8 * MiB); // the same sync does make it grow
  }, 120_000);
});
