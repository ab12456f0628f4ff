/**
 * A file this account may not read (another's, mode 600, in a shared folder), or a folder it may
 * list but not enter, is named as not synced (exit 8) and the rest syncs. Before, the EACCES ended
 * the whole sync as "a bug" (exit 1), nothing synced. With real permissions, through the built CLI: as an unprivileged account, since
 * root reads every file (as `nobody` through runuser when the tests run as root).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, cleanup, tempDir } from './helpers.js';

afterAll(cleanup);

const NOBODY = 65534;
const asRoot = process.getuid?.() === 0;
/** Root with runuser, and a `nobody` that can run the built CLI from where it is. */
const canDropToNobody = asRoot && spawnSync('runuser', ['-u', 'nobody', '--', process.execPath, '-e', `require('fs').accessSync(${JSON.stringify(CLI)})`]).status === 0;

/** A library folder in a fresh temporary folder, and the CLI run as its owner (`nobody` when the tests run as root). */
async function library() {
  const base = await tempDir();
  const lib = join(base, 'lib');
  mkdirSync(lib);
  chmodSync(base, 0o755);
  const config = join(base, 'config');
  const env = { ...process.env, HOME: base, SYNCACROSS_CONFIG_DIR: config };
  const cli = (...args: string[]) =>
    asRoot
      ? spawnSync('runuser', ['-u', 'nobody', '--', 'env', `HOME=${base}`, `SYNCACROSS_CONFIG_DIR=${config}`, process.execPath, CLI, ...args], { encoding: 'utf8' })
      : spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env });
  /** Makes `paths` the account's own (as root: nobody's). */
  const own = (...paths: string[]) => {
    if (asRoot) for (const path of paths) chownSync(path, NOBODY, NOBODY);
  };
  own(base, lib);
  const init = cli('init', lib, '--remote', `fs:${join(base, 'remote')}`, '-o', 'createRoot=true');
  expect(init.status, init.stderr).toBe(0);
  return { lib, cli, own };
}

describe.skipIf(process.platform === 'win32' || (asRoot && !canDropToNobody))('what this account cannot read', () => {
  it('a file: named as not synced, exit 8, and the rest syncs', async () => {
    const { lib, cli, own } = await library();
    writeFileSync(join(lib, 'ok.md'), 'mine\n');
    writeFileSync(join(lib, 'private.md'), 'not mine\n');
    own(join(lib, 'ok.md'));
    chmodSync(join(lib, 'private.md'), asRoot ? 0o600 : 0o000); // as root: root's, to nobody
    const reason = 'it cannot be read (permission denied); it syncs once this account may read it';
    // status says beforehand what the sync will say, not that the file is new
    const status = cli('status', lib, '--json');
    expect(status.status, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout).unsynced).toMatchObject({ added: ['ok.md'], notSynced: [{ path: 'private.md', reason }] });
    const sync = cli('sync', lib, '--json', '--stable-after', '0');
    expect(sync.status, sync.stderr).toBe(8);
    const out = JSON.parse(sync.stdout);
    expect(out.skipped).toEqual([{ path: 'private.md', reason }]);
    expect(out.local.added).toBe(1);
    if (!asRoot) chmodSync(join(lib, 'private.md'), 0o644);
  });

  // `chmod -R 644` takes the folders' x too: their names can be listed, but nothing in them
  // stat'ed. That ended the whole sync (and status) with "EACCES: permission denied, lstat", exit 1.
  it('a folder that may be listed but not entered: its files named by sync and status, the rest synced; synced once it may be entered', async () => {
    const { lib, cli, own } = await library();
    mkdirSync(join(lib, 'papers'));
    writeFileSync(join(lib, 'papers', 'a.pdf'), 'a\n');
    writeFileSync(join(lib, 'top.md'), 'top\n');
    own(join(lib, 'papers'), join(lib, 'papers', 'a.pdf'), join(lib, 'top.md'));
    chmodSync(join(lib, 'papers'), 0o644);
    const reason = 'it cannot be read (permission denied: its folder may be listed but not entered)';

    const sync = cli('sync', lib, '--json', '--stable-after', '0');
    expect(sync.status, sync.stderr).toBe(8);
    const out = JSON.parse(sync.stdout);
    expect(out.skipped).toEqual([{ path: 'papers/a.pdf', reason }]);
    expect(out.local.added).toBe(1);
    const status = cli('status', lib, '--json');
    expect(status.status, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout).unsynced.notSynced).toEqual([{ path: 'papers/a.pdf', reason }]);

    chmodSync(join(lib, 'papers'), 0o755);
    const again = cli('sync', lib, '--json', '--stable-after', '0');
    expect(again.status, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout).local.added).toBe(1);
  });
});
