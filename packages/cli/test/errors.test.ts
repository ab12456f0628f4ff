/**
 * Every failure a user can hit gets a clear message and a documented exit code, and loses
 * nothing: local files stay as they were, and a failed init leaves no half-made library.
 */
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { errorOutput } from '../src/json-output.js';
import { cleanup, FAST, run, runJson, snapshot, tempDir, writeFiles } from './helpers.js';

afterAll(cleanup);

const FILES = { 'doc.md': 'my precious notes\n', 'sub/data.txt': 'data\n' };

async function syncedLibrary(name = 'lib') {
  const base = await tempDir();
  const dir = join(base, name);
  const remote = join(base, 'remote');
  await writeFiles(dir, FILES);
  expect((await run(['init', dir, '--remote', `fs:${remote}`, '-o', 'createRoot=true'])).code).toBe(0);
  expect((await run(['sync', dir, ...FAST])).code).toBe(0);
  return { base, dir, remote };
}

describe('usage and configuration errors (exit 2)', () => {
  it('an unknown adapter names itself and the places searched', async () => {
    const dir = join(await tempDir(), 'lib');
    const r = await run(['init', dir, '--remote', 'nosuchthing:/x']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown adapter "nosuchthing"');
    expect(r.stderr).toContain('syncacross-adapter-nosuchthing');
    expect(existsSync(join(dir, '.syncacross'))).toBe(false);
  });

  it('an unknown option and a mistyped option are named', async () => {
    const base = await tempDir();
    const unknown = await runJson(['init', join(base, 'a'), '--remote', `fs:${base}/r`, '-o', 'bogusOption=1']);
    expect(unknown.code).toBe(2);
    expect(errorOutput.parse(unknown.json).error).toMatchObject({ code: 'BadOption', exitCode: 2 });
    expect(unknown.json.error.message).toContain('bogusOption');
    const typed = await run(['init', join(base, 'a'), '--remote', `fs:${base}/r`, '-o', 'fsync=sometimes']);
    expect(typed.code).toBe(2);
    expect(typed.stderr).toContain('option fsync');
    expect(existsSync(join(base, 'a', '.syncacross'))).toBe(false);
  });

  it('a folder that is not a library says to run init', async () => {
    const r = await run(['sync', await tempDir()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not inside a syncacross library: run `syncacross init/);
  });

  it('bad command-line usage exits 2, with a JSON error under --json', async () => {
    expect((await run(['frobnicate'])).code).toBe(2);
    const r = await runJson(['init', '/tmp/x']); // --remote missing
    expect(r.code).toBe(2);
    expect(errorOutput.parse(r.json).error.message).toContain('--remote');
  });

  it('auth for an adapter without interactive sign-in explains itself', async () => {
    const r = await run(['auth', 'fs']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('needs no `syncacross auth`');
  });

  it('a second init with a different remote is refused and changes nothing', async () => {
    const { base, dir } = await syncedLibrary();
    const before = await snapshot(dir);
    const r = await run(['init', dir, '--remote', `fs:${base}/elsewhere`, '-o', 'createRoot=true']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('already a library synced with');
    expect(await snapshot(dir)).toEqual(before);
  });
});

describe('remote problems', () => {
  it('an unreachable remote (missing folder) exits 3 and suggests createRoot for a new one', async () => {
    const base = await tempDir();
    const r = await run(['init', join(base, 'lib'), '--remote', `fs:${base}/not-mounted`, '--retries', '0']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('remote unreachable');
    expect(r.stderr).toContain('createRoot=true');
    expect(existsSync(join(base, 'lib', '.syncacross'))).toBe(false);
  });

  it('a missing folder is said at once, with what to do, not after eight retries', async () => {
    const base = await tempDir();
    const r = await run(['init', join(base, 'lib'), '--remote', `fs:${base}/not-mounted`]); // default retries
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('createRoot=true');
    expect(r.stderr).not.toMatch(/retry \d/);
  });

  it('a host name that does not resolve is said at once (exit 3), not retried', async () => {
    const base = await tempDir();
    const r = await run(['init', join(base, 'lib'), '--remote', 'webdav:http://nosuchhost.invalid/dav']); // .invalid never resolves (RFC 2606)
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/ENOTFOUND/);
    expect(r.stderr).toContain('host name does not resolve');
    expect(r.stderr).not.toMatch(/retry \d/);
    expect(existsSync(join(base, 'lib', '.syncacross'))).toBe(false);
  });

  it('a remote that goes away (unmounted) exits 3 and keeps local files', async () => {
    const { dir, remote } = await syncedLibrary();
    await rename(remote, `${remote}-unplugged`);
    await writeFiles(dir, { 'later.md': 'written while the NAS was away\n' });
    const r = await runJson(['sync', dir, ...FAST]);
    expect(r.code).toBe(3);
    expect(r.json.error.code).toBe('Unavailable');
    expect(await snapshot(dir)).toEqual({ ...FILES, 'later.md': 'written while the NAS was away\n' });
    await rename(`${remote}-unplugged`, remote);
    expect((await run(['sync', dir, ...FAST])).code).toBe(0); // back: it just works
  });

  it('a remote that holds other data is not a syncacross repository (exit 5), and nothing is touched', async () => {
    const base = await tempDir();
    const foreign = join(base, 'photos');
    await writeFiles(foreign, { 'holiday.jpg': 'jpeg bytes' });
    const dir = join(base, 'lib');
    await writeFiles(dir, FILES);
    const r = await runJson(['init', dir, '--remote', `fs:${foreign}`]);
    expect(r.code).toBe(5);
    expect(r.json.error.code).toBe('NotARepository');
    expect(r.json.error.message).toContain('no syncacross repository');
    expect(await snapshot(foreign)).toEqual({ 'holiday.jpg': 'jpeg bytes' });
    expect(await snapshot(dir)).toEqual(FILES);
    expect(existsSync(join(dir, '.syncacross'))).toBe(false);
  });

  it('a remote replaced by a different repository is detected (exit 5), nothing deleted on either side', async () => {
    const { base, dir, remote } = await syncedLibrary();
    await rename(remote, `${remote}-old`);
    const other = join(base, 'other');
    await writeFiles(other, { 'theirs.md': 'another library\n' });
    expect((await run(['init', other, '--remote', `fs:${remote}`, '-o', 'createRoot=true'])).code).toBe(0);
    expect((await run(['sync', other, ...FAST])).code).toBe(0);

    const r = await runJson(['sync', dir, ...FAST]);
    expect(r.code).toBe(5);
    expect(r.json.error.code).toBe('RepositoryMismatch');
    expect(r.json.error.message).toContain('different syncacross repository');
    expect(await snapshot(dir)).toEqual(FILES);
    expect((await run(['sync', other, ...FAST])).code).toBe(0);
    expect(await snapshot(other)).toEqual({ 'theirs.md': 'another library\n' });
  });

  it('an emptied remote is detected (exit 5) and local files are kept', async () => {
    const { dir, remote } = await syncedLibrary();
    await rm(remote, { recursive: true });
    await mkdir(remote);
    const r = await runJson(['sync', dir, ...FAST]);
    expect(r.code).toBe(5);
    expect(r.json.error.code).toBe('RemoteEmptied');
    expect(await snapshot(dir)).toEqual(FILES);
  });
});

describe('local problems', () => {
  it('the state folder of a library is never synced, and a garbage config is reported (exit 2)', async () => {
    const { dir } = await syncedLibrary();
    await writeFile(join(dir, '.syncacross', 'config.json'), '{ not json');
    const r = await run(['status', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('config.json');
  });
});
