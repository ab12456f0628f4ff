/**
 * On a terminal, sync draws a progress bar (files, bytes, rate, ETA) on stderr; under --json
 * and in pipes it never does. The terminal is a pseudo-tty from util-linux `script`; without
 * it the terminal case is skipped, visibly.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, cleanup, run, tempDir, writeFiles } from './helpers.js';

const haveScript = spawnSync('script', ['--version']).status === 0;

afterAll(cleanup);

async function libraryWithFiles(): Promise<string> {
  const dir = join(await tempDir(), 'lib');
  await writeFiles(dir, Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`f${i}.bin`, randomBytes(20_000)])));
  expect((await run(['init', dir, '--remote', `fs:${dir}-remote`, '-o', 'createRoot=true'])).code).toBe(0);
  return dir;
}

describe.skipIf(!haveScript)('progress on a terminal (needs util-linux `script` for a pseudo-tty)', () => {
  it('draws a bar with counts, bytes, rate and ETA, then the summary', async () => {
    const dir = await libraryWithFiles();
    const tty = execFileSync('script', ['-qec', `${process.execPath} ${CLI} sync ${dir} --stable-after 0`, '/dev/null'], { encoding: 'utf8', env: { ...process.env, SYNCACROSS_CONFIG_DIR: dir } });
    // The ETA reads "--" until an item is done (a fast scan may only ever show that frame).
    expect(tty).toMatch(/scanning files\s+\|[^|]+\| \d+\/40 \| [\d.]+ [KM]?B \| [\d.]+ [KM]?B\/s \| ETA (\d+s|--)/);
    expect(tty).not.toMatch(/ETA N?F/);
    expect(tty).toContain('Synced');
  });
});

describe('progress when not on a terminal', () => {
  it('plain lines without escape codes, and nothing under --json', async () => {
    const dir = await libraryWithFiles();
    const plain = await run(['sync', dir, '--stable-after', '0']);
    expect(plain.stderr).toMatch(/^scanning files \d+\/40, .* moved, .*\/s/m);
    expect(plain.stderr).not.toContain('\u001b');
    await writeFiles(dir, { 'more.bin': randomBytes(1000) });
    const json = await run(['--json', 'sync', dir, '--stable-after', '0']);
    expect(json.stderr).toBe('');
  });
});
