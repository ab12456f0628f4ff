/**
 * A library with more files than one function call may take as arguments. `list.push(...items)`
 * passes every item as an argument on the stack; past about 120,000 (a first upload of 200,000
 * files, each listed in the summary) Node threw "Maximum call stack size exceeded" and the sync
 * exited 1 (found by the benchmark's scaling run). Here the command runs with a smaller stack
 * (150 KB, where Node's default is about 1 MB), so that 30,000 files reach the same limit: the
 * previous build fails both the upload and the download below.
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { cleanup, runJson, tempDir } from './helpers.js';

afterEach(cleanup);

const FILES = 30_000;
const SMALL_STACK = { nodeArgs: ['--stack-size=150'] };

it(`a first upload and a download of ${FILES.toLocaleString('en')} files list each of them, with a stack a seventh of the default`, async () => {
  const root = await tempDir();
  const lib = join(root, 'lib');
  for (let d = 0; d < FILES / 500; d++) {
    const folder = join(lib, String(d).padStart(4, '0'));
    await mkdir(folder, { recursive: true });
    await Promise.all(Array.from({ length: 500 }, (_, i) => writeFile(join(folder, `f${i}.txt`), `file ${d}/${i}\n`)));
  }
  const remote = `fs:${join(root, 'remote')}`;
  expect((await runJson(['init', lib, '--remote', remote, '-o', 'createRoot=true'])).code).toBe(0);
  const up = await runJson(['sync', lib, '--stable-after', '0'], SMALL_STACK);
  expect(up.stderr).toBe('');
  expect(up.code).toBe(0);
  expect(up.json.local.added).toBe(FILES);
  expect(up.json.files).toHaveLength(FILES);

  const other = join(root, 'other');
  await mkdir(other);
  expect((await runJson(['init', other, '--remote', remote])).code).toBe(0);
  const down = await runJson(['sync', other], SMALL_STACK);
  expect(down.stderr).toBe('');
  expect(down.code).toBe(0);
  expect(down.json.downloaded.files).toBe(FILES);
  expect((await readdir(join(other, '0042'))).length).toBe(500);
}, 120_000);
