/**
 * A file this account may not read (another's, mode 600, in a shared folder) is named as not
 * synced (exit 8) and the rest syncs. Before, its EACCES ended the whole sync as "a bug" (exit 1),
 * nothing synced. With real permissions, through the built CLI: as an unprivileged account, since
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

describe.skipIf(process.platform === 'win32' || (asRoot && !canDropToNobody))('a file this account cannot read', () => {
  it('is named as not synced, exit 8, and the rest syncs', async () => {
    const base = await tempDir();
    const lib = join(base, 'lib');
    mkdirSync(lib);
    writeFileSync(join(lib, 'ok.md'), 'mine\n');
    writeFileSync(join(lib, 'private.md'), 'not mine\n');
    chmodSync(base, 0o755);
    const env = { ...process.env, HOME: base, SYNCACROSS_CONFIG_DIR: join(base, 'config') };
    if (asRoot) {
      for (const path of [base, lib, join(lib, 'ok.md')]) chownSync(path, NOBODY, NOBODY);
      chmodSync(join(lib, 'private.md'), 0o600); // root's, to nobody
    } else chmodSync(join(lib, 'private.md'), 0o000);
    const cli = (...args: string[]) =>
      asRoot
        ? spawnSync('runuser', ['-u', 'nobody', '--', 'env', `HOME=${base}`, `SYNCACROSS_CONFIG_DIR=${env.SYNCACROSS_CONFIG_DIR}`, process.execPath, CLI, ...args], { encoding: 'utf8' })
        : spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env });
    const init = cli('init', lib, '--remote', `fs:${join(base, 'remote')}`, '-o', 'createRoot=true');
    expect(init.status, init.stderr).toBe(0);
    const sync = cli('sync', lib, '--json', '--stable-after', '0');
    expect(sync.status, sync.stderr).toBe(8);
    const out = JSON.parse(sync.stdout);
    expect(out.skipped).toEqual([{ path: 'private.md', reason: 'it cannot be read (permission denied); it syncs once this account may read it' }]);
    expect(out.local.added).toBe(1);
    if (!asRoot) chmodSync(join(lib, 'private.md'), 0o644);
  });
});
