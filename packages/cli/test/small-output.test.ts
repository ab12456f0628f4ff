/**
 * Small things a new user sees in the first hour, each through the built CLI: rates rounded in
 * plain progress lines, "1 file" not "1 files", no ETA before enough of a phase is done, no
 * EPIPE stack when the output is piped into a reader that quits, no trace left in a folder that
 * turned out not to be a repository, and a probe that prints what the docs say (measured).
 */
import { spawnSync } from 'node:child_process';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { etaSeconds } from '../src/progress.js';
import { CLI, cleanup, CUSTOM_ADAPTER, FAST, run, tempDir, writeFiles } from './helpers.js';

afterAll(cleanup);

const SLOW_ADAPTER = join(CUSTOM_ADAPTER, 'index.mjs');

/** A library of `files` on the test adapter, whose every request takes `delayMs` (a slow network, or 0). */
async function flatdirLibrary(files: Record<string, string>, delayMs: number) {
  const base = await tempDir();
  const store = join(base, 'store');
  await mkdir(join(store, 'objects'), { recursive: true });
  const a = join(base, 'a');
  await writeFiles(a, files);
  expect((await run(['init', a, '--remote', `${SLOW_ADAPTER}:${store}`, '-o', `delayMs=${delayMs}`])).code).toBe(0);
  return { base, store, a };
}

describe('plain progress and the summary', () => {
  it('rates are rounded, counts agree in number, and no ETA shows before enough is done', async () => {
    const files = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`n${i}.txt`, `note ${i}\n`]));
    // Only the machine that downloads is on the slow network: its first file waits for the pack
    // read, longer than the second between plain lines. The uploader's lines are held to the same
    // rules either way, and its 1.2 s requests cost 25 s (init, 40 files up, then one).
    const { base, store, a } = await flatdirLibrary(files, 0);
    const up = await run(['sync', a, ...FAST]);
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).toMatch(/\(40 versions, 1 pack, /);

    const b = join(base, 'b');
    expect((await run(['init', b, '--remote', `${SLOW_ADAPTER}:${store}`, '-o', 'delayMs=1200'])).code).toBe(0);
    const down = await run(['sync', b, ...FAST]);
    expect(down.code, down.stderr).toBe(0);
    const lines = down.stderr.split('\n').filter((l) => l.includes('moved'));
    expect(lines.length).toBeGreaterThan(0);
    for (const line of [...lines, ...up.stderr.split('\n').filter((l) => l.includes('moved'))]) {
      expect(line).toMatch(/, \d+(\.\d)? [KMGT]?B\/s(, ETA \d+s)?$/); // not 421.6867469879518 B/s
      const m = /(\d+)\/(\d+),.*ETA/.exec(line);
      if (m) expect(Number(m[1]), line).toBeGreaterThanOrEqual(Math.max(3, Math.ceil(Number(m[2]) * 0.05)));
    }
    // The first file of the download waited for the (slow) pack read: that line has no ETA.
    expect(down.stderr).toMatch(/^updating files [12]\/40, [^E]*$/m);
    expect(down.stdout).toMatch(/received: 40 added, 0 changed, 0 deleted \(40 files, /);

    await writeFiles(a, { 'one.txt': 'just one\n' });
    expect((await run(['sync', a, ...FAST])).stdout).toMatch(/\(1 version, 1 pack, /);
    const one = await run(['sync', b, ...FAST]);
    expect(one.stdout).toMatch(/received: 1 added, 0 changed, 0 deleted \(1 file, /);
    expect(one.stdout).not.toMatch(/\b1 (files|versions|packs)\b/);
  }, 150_000); // every request of b waits 1.2 s: the time is the remote's, not the CLI's

  it('an ETA needs enough done to mean something', () => {
    expect(etaSeconds(650, 1, 3000)).toBeUndefined(); // once printed as "ETA 1950s"
    expect(etaSeconds(10_000, 150, 3000)).toBe(190);
    expect(etaSeconds(1000, 2, 4)).toBeUndefined();
    expect(etaSeconds(1000, 3, 4)).toBe(1);
    expect(etaSeconds(1000, 4, 4)).toBeUndefined();
  });
});

describe('output piped into a reader that quits', () => {
  const piped = (args: string) =>
    spawnSync('bash', ['-c', `${process.execPath} ${CLI} ${args} | true; exit \${PIPESTATUS[0]}`], {
      encoding: 'utf8',
      env: { ...process.env, SYNCACROSS_CONFIG_DIR: fileURLToPath(new URL('.', import.meta.url)) },
    });

  it('--help | head: no EPIPE stack, exit 0', () => {
    const r = piped('--help');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('--json log | head: no EPIPE stack, exit 0', async () => {
    const dir = join(await tempDir(), 'lib');
    await writeFiles(dir, Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`f${i}.md`, `${i}\n`])));
    expect((await run(['init', dir, '--remote', `fs:${dir}-remote`, '-o', 'createRoot=true'])).code).toBe(0);
    expect((await run(['sync', dir, ...FAST])).code).toBe(0);
    for (const args of [`--json log --dir ${dir}`, `log --dir ${dir}`]) {
      const r = piped(args);
      expect(r.stderr, args).toBe('');
      expect(r.status, args).toBe(0);
    }
  });
});

describe('traces and wording', () => {
  it('init into a folder of other data leaves nothing behind in it', async () => {
    const base = await tempDir();
    const photos = join(base, 'photos');
    await writeFiles(photos, { 'holiday.jpg': 'jpeg bytes' });
    const r = await run(['init', join(base, 'lib'), '--remote', `fs:${photos}`]);
    expect(r.code).toBe(5);
    expect(await readdir(photos)).toEqual(['holiday.jpg']); // no .syncacross-tmp/
  });

  it('the probe prints declared, measured and used, as the README says', async () => {
    const base = await tempDir();
    const r = await run(['adapters', '--probe', '--remote', `fs:${base}/probed`, '-o', 'createRoot=true']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('declared by the adapter, measured by this probe, used by the engine');
    expect(r.stdout).toMatch(/atomicCreate\s+true\s+true\s+true/);
    expect(r.stdout).toMatch(/rangedGet\s+true\s+\(not probed\)\s+true/);
    expect(r.stdout).not.toContain('→');
    const readme = await readFile(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');
    expect(readme).toMatch(/what the adapter declares, what the probe measured on it, and what the engine\s+uses/);
  });
});
