/** Credentials files: owner-only, replaced atomically, absent reads as "not authorized yet". */
import { mkdir, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { credentialsFilePath, readCredentialsFile, readJsonCredentials, writeCredentialsFile, writeJsonCredentials } from '@syncacross/sync-core/adapter-kit';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kit-credentials-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const posix = process.platform !== 'win32';

describe('credentials files', () => {
  it('are named <adapter>-<name>.json in the credentials folder', () => {
    expect(credentialsFilePath('/c', 'dropbox', 'default')).toBe(join('/c', 'dropbox-default.json'));
  });

  it('read as undefined when there is none yet', async () => {
    expect(await readCredentialsFile(join(dir, 'none.json'))).toBeUndefined();
    expect(await readJsonCredentials(join(dir, 'none.json'))).toBeUndefined();
  });

  it.runIf(posix)('are written owner-only, in an owner-only folder created on demand', async () => {
    const file = join(dir, 'sub', 'gdrive-default.json');
    await writeJsonCredentials(file, { refresh_token: 'r' });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'sub'))).mode & 0o777).toBe(0o700);
    expect(await readFile(file, 'utf8')).toBe('{\n  "refresh_token": "r"\n}\n');
    expect(await readJsonCredentials(file)).toEqual({ refresh_token: 'r' });
  });

  it('are replaced whole, leaving no temporary file behind', async () => {
    const file = join(dir, 'onedrive-a.json');
    await writeCredentialsFile(file, 'old');
    await writeCredentialsFile(file, 'new');
    expect(await readCredentialsFile(file)).toBe('new');
    expect(await readdir(dir)).toEqual(['onedrive-a.json']);
  });

  it('a write that fails keeps the old content and cleans up', async () => {
    const blocked = join(dir, 'blocked.json');
    await mkdir(join(blocked, 'child'), { recursive: true }); // rename cannot replace a non-empty folder
    await expect(writeCredentialsFile(blocked, 'x')).rejects.toThrow();
    expect((await readdir(dir)).sort()).toEqual(['blocked.json']);
  });
});
