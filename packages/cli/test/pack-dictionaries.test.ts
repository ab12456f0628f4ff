/**
 * Format 7 as a user meets it (docs/PROTOCOL.md §3.3, §3.5): a folder of notes synced from the
 * command line is stored with its packs' dictionaries (on a runtime that writes deflate), and
 * everything that reads it back does: `restore` to a bare folder, `verify --read-data`, and a
 * second machine; a format-6 repository made with `--format 6` stores the same notes larger.
 */
import { readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WRITES_DEFLATE } from '../../sync-core/src/codec/compression.js';
import { cleanup, FAST, run, runJson, tempDir, writeFiles } from './helpers.js';

afterAll(cleanup);
const WORDS = 'library note reference paper sync merge conflict version chunk pack segment writer node remote abstract title'.split(' ');
/** Forty notes of a few KiB from one vocabulary, as a folder of notes is. */
function notes(): Record<string, string> {
  let x = 12345;
  const files: Record<string, string> = {};
  for (let i = 0; i < 40; i++) {
    const words: string[] = [];
    for (let n = 0; n < 400 + i * 20; n++) words.push(WORDS[((x = (x * 1103515245 + 12345) % 2 ** 31) >>> 16) % WORDS.length]!);
    files[`notes/n${String(i).padStart(2, '0')}.md`] = `# note ${i}\n\n${words.join(' ')}\n`;
  }
  return files;
}
const storedBytes = (dir: string) =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .reduce((n, e) => n + statSync(join(e.parentPath, e.name)).size, 0);

async function library(format?: string) {
  const base = await tempDir();
  const dir = join(base, 'lib');
  const remote = join(base, 'remote');
  await writeFiles(dir, notes());
  const init = await runJson(['init', dir, '--remote', `fs:${remote}`, '-o', 'createRoot=true', ...(format ? ['--format', format] : []), '--json']);
  expect(init.code, init.stderr).toBe(0);
  expect((await run(['sync', dir, ...FAST])).code).toBe(0);
  return { base, dir, remote, format: init.json.format as number };
}

describe('format 7 from the command line', () => {
  it('restore to a bare folder, verify reading every pack, and a second machine read back every note', async () => {
    const { base, dir, remote, format } = await library();
    expect(format).toBe(7);
    const restored = await run(['restore', '--remote', `fs:${remote}`, '--to', join(base, 'restored')]);
    expect(restored.code, restored.stderr).toBe(0);
    const verify = await runJson(['verify', dir, '--read-data', '--json']);
    expect(verify.code, verify.stderr).toBe(0);
    expect(verify.json.problems).toEqual([]);
    const second = join(base, 'second');
    expect((await run(['init', second, '--remote', `fs:${remote}`])).code).toBe(0);
    expect((await run(['sync', second, ...FAST])).code).toBe(0);
    for (const [path, text] of Object.entries(notes())) {
      expect(await readFile(join(base, 'restored', path), 'utf8'), path).toBe(text);
      expect(await readFile(join(second, path), 'utf8'), path).toBe(text);
    }
  });

  it.runIf(WRITES_DEFLATE)('stores the same notes in less room than a format-6 repository', async () => {
    const seven = await library();
    const six = await library('6');
    expect(six.format).toBe(6);
    expect(storedBytes(join(seven.remote, 'packs'))).toBeLessThan(0.9 * storedBytes(join(six.remote, 'packs')));
  });
});
