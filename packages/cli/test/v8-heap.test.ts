/**
 * The `syncacross` command tunes V8's heap for peak memory when it starts (bin/v8-heap.mjs),
 * except where the user tuned it: the decision; the flags the real command sets, seen by a hook
 * passed to node (`--import`, which does not count as tuning) that records every
 * `v8.setFlagsFromString`; and the effect of one of them, the young generation's size at exit,
 * on a library large enough to make it grow.
 */
import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error: plain JavaScript beside the bin, no declarations
import { heapFlags } from '../bin/v8-heap.mjs';
import { cleanup, run, tempDir, writeFiles } from './helpers.js';

afterAll(cleanup);

const BIN = fileURLToPath(new URL('../bin/syncacross.mjs', import.meta.url));
const MiB = 1024 * 1024;
const BOTH = ['--semi-space-growth-factor=1', '--heap-growing-percent=50'];
const V8_11 = '11.3.244.8-node.33'; // Node 20
const V8_12 = '12.4.254.21-node.33'; // Node 22
const SIZE = '--optimize-for-size';
/** What this runtime's command sets besides BOTH: V8 12 and later (Node 22, 24) optimize for size. */
const HERE = Number.parseInt(process.versions.v8, 10) >= 12 ? [SIZE] : [];

describe('the flags the command sets', () => {
  it('both, when the user tuned neither (other heap options do not count)', () => {
    expect(heapFlags([], undefined, V8_11)).toEqual(BOTH);
    expect(heapFlags(['--stack-size=200', '--import', 'hook.mjs'], '--max-old-space-size=512 --enable-source-maps', V8_11)).toEqual(BOTH);
  });

  it('not the young generation one when the user sized it, in either spelling, on the command line or in NODE_OPTIONS', () => {
    expect(heapFlags(['--max-semi-space-size=8'], undefined, V8_11)).toEqual(['--heap-growing-percent=50']);
    expect(heapFlags(['--max_semi_space_size=8'], undefined, V8_11)).toEqual(['--heap-growing-percent=50']);
    expect(heapFlags([], '--min-semi-space-size=4', V8_11)).toEqual(['--heap-growing-percent=50']);
    expect(heapFlags([], '--semi-space-growth-factor=2', V8_11)).toEqual(['--heap-growing-percent=50']);
  });

  it("not the old generation one when the user set the heap's growing", () => {
    expect(heapFlags(['--heap-growing-percent=100'], undefined, V8_11)).toEqual(['--semi-space-growth-factor=1']);
    expect(heapFlags(['--heap_growing_percent=20'], '--max-semi-space-size=32', V8_11)).toEqual([]);
  });

  it("on V8 12 and later (Node 22, 24) optimizing for size too, which empties V8's page pool, unless the user said either way", () => {
    expect(heapFlags([], undefined, V8_12)).toEqual([...BOTH, SIZE]);
    expect(heapFlags([], undefined, '13.6.233.10-node.24')).toEqual([...BOTH, SIZE]);
    expect(heapFlags(['--optimize_for_size'], undefined, V8_12)).toEqual(BOTH);
    expect(heapFlags(['--no-optimize-for-size'], undefined, V8_12)).toEqual(BOTH);
    expect(heapFlags(['--heap-growing-percent=100', '--max-semi-space-size=8'], undefined, V8_12)).toEqual([SIZE]);
    expect(heapFlags([], undefined)).toEqual([...BOTH, ...HERE]); // this runtime's own version
  });
});

describe('the real command', () => {
  it('a first sync of 3,000 notes sets its flags and keeps the young generation small; where the user tuned all of it, it sets none and the generation grows', async () => {
    const base = await tempDir();
    const notes: Record<string, string> = {};
    for (let i = 0; i < 3000; i++) notes[`n${i}.md`] = `note ${i} ${'lorem ipsum '.repeat(20)}`;
    const hook = join(base, 'heap-hook.mjs');
    await writeFile(
      hook,
      [
        "import v8 from 'node:v8';",
        "import { writeSync } from 'node:fs';",
        'const set = [];',
        'const original = v8.setFlagsFromString;',
        'v8.setFlagsFromString = (flags) => { set.push(flags); return original(flags); };',
        "process.on('exit', () => writeSync(2, `HEAP ${JSON.stringify({ set, newSpace: v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size })}\\n`));",
      ].join('\n'),
    );
    const env = { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SYNCACROSS_') && k !== 'NODE_OPTIONS')), SYNCACROSS_CONFIG_DIR: base };
    const firstSync = async (name: string, nodeArgs: string[] = [], nodeOptions?: string): Promise<{ set: string[]; newSpace: number }> => {
      const lib = join(base, name);
      await writeFiles(lib, notes);
      expect((await run(['init', lib, '--remote', `fs:${join(base, `${name}-remote`)}`, '-o', 'createRoot=true'])).code).toBe(0);
      const r = spawnSync(process.execPath, [...nodeArgs, '--import', pathToFileURL(hook).href, BIN, 'sync', lib, '--json'], {
        env: nodeOptions ? { ...env, NODE_OPTIONS: nodeOptions } : env,
        encoding: 'utf8',
      });
      expect(r.status, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout).ok).toBe(true);
      return JSON.parse(/HEAP (.*)/.exec(r.stderr)![1]!);
    };
    const tuned = await firstSync('a');
    // (NODE_OPTIONS takes only the V8 options Node allows there: the heap's growing is not one.)
    const users = await firstSync('b', ['--heap-growing-percent=100', '--no-optimize-for-size'], '--max-semi-space-size=16');
    expect(tuned.set).toEqual([...BOTH, ...HERE]);
    expect(tuned.newSpace).toBeGreaterThan(0);
    expect(tuned.newSpace).toBeLessThanOrEqual(2 * MiB);
    expect(users.set).toEqual([]);
    expect(users.newSpace).toBeGreaterThanOrEqual(8 * MiB); // the same sync does make it grow
  }, 120_000);
});
