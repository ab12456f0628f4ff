/**
 * The `syncacross` command starts `restore` and `watch` again with huge pages for malloc where
 * that helps (bin/huge-pages.mjs): the decision, fact by fact, and the real command, whose
 * process must be the same one (same pid) with the tunable in its environment, and still stop
 * with exit 0 on SIGTERM. Which way the real command goes depends on the runtime and the kernel
 * here: both ways are checked against the decision, and the test's name says which one ran.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error: plain JavaScript beside the bin, no declarations
import { hugePagesRelaunch } from '../bin/huge-pages.mjs';
import { cleanup, run, tempDir, writeFiles } from './helpers.js';

afterAll(cleanup);

const BIN = fileURLToPath(new URL('../bin/syncacross.mjs', import.meta.url));
const never = () => {
  throw new Error('asked, though a cheaper fact had already said no');
};
const linux = (over: Record<string, unknown> = {}) => ({
  platform: 'linux',
  canExec: true,
  argv: ['restore', '--remote', 'fs:/r', '--to', '/t'],
  env: { PATH: '/usr/bin' },
  hugePages: () => 'madvise',
  glibc: () => '2.36',
  ...over,
});

describe('when the command starts again with huge pages', () => {
  it('restore and watch on Linux, glibc 2.35 or later, huge pages in madvise mode, a runtime with execve', () => {
    expect(hugePagesRelaunch(linux())).toEqual({ PATH: '/usr/bin', GLIBC_TUNABLES: 'glibc.malloc.hugetlb=1' });
    expect(hugePagesRelaunch(linux({ argv: ['watch', '/lib'] }))?.GLIBC_TUNABLES).toBe('glibc.malloc.hugetlb=1');
    expect(hugePagesRelaunch(linux({ glibc: () => '2.35' }))).toBeDefined();
    expect(hugePagesRelaunch(linux({ glibc: () => '2.40' }))).toBeDefined();
    // The user's other tunables are kept, this one added.
    expect(hugePagesRelaunch(linux({ env: { GLIBC_TUNABLES: 'glibc.malloc.arena_max=2' } }))?.GLIBC_TUNABLES).toBe('glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1');
  });

  it('not otherwise; and the costly facts are asked only when the cheap ones said yes', () => {
    expect(hugePagesRelaunch(linux({ argv: ['sync', '/lib'], hugePages: never, glibc: never }))).toBeUndefined(); // a no-op sync would pay the second start
    expect(hugePagesRelaunch(linux({ argv: ['--json'], hugePages: never, glibc: never }))).toBeUndefined();
    expect(hugePagesRelaunch(linux({ platform: 'darwin', hugePages: never, glibc: never }))).toBeUndefined();
    expect(hugePagesRelaunch(linux({ canExec: false, hugePages: never, glibc: never }))).toBeUndefined(); // Node 20
    // Named already: the user's choice (=0 turns it off), or this is the relaunched process.
    expect(hugePagesRelaunch(linux({ env: { GLIBC_TUNABLES: 'glibc.malloc.hugetlb=0' }, hugePages: never, glibc: never }))).toBeUndefined();
    expect(hugePagesRelaunch(linux({ env: { GLIBC_TUNABLES: 'glibc.malloc.hugetlb=1' }, hugePages: never, glibc: never }))).toBeUndefined();
    expect(hugePagesRelaunch(linux({ hugePages: () => 'always', glibc: never }))).toBeUndefined();
    expect(hugePagesRelaunch(linux({ hugePages: () => 'never', glibc: never }))).toBeUndefined();
    expect(hugePagesRelaunch(linux({ hugePages: () => undefined, glibc: never }))).toBeUndefined(); // no /sys here
    expect(hugePagesRelaunch(linux({ glibc: () => '2.34' }))).toBeUndefined(); // the tunable came in 2.35
    expect(hugePagesRelaunch(linux({ glibc: () => '2.9' }))).toBeUndefined();
    expect(hugePagesRelaunch(linux({ glibc: () => undefined }))).toBeUndefined(); // musl
  });
});

/** What this machine and runtime would decide for `watch`, from the same facts the command reads. */
function expectedHere(): boolean {
  let mode: string | undefined;
  try {
    mode = /\[(\w+)\]/.exec(readFileSync('/sys/kernel/mm/transparent_hugepage/enabled', 'utf8'))?.[1];
  } catch {
    mode = undefined;
  }
  const header = process.report.getReport() as { header?: { glibcVersionRuntime?: string } };
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'GLIBC_TUNABLES'));
  return (
    hugePagesRelaunch({
      platform: process.platform,
      canExec: typeof (process as { execve?: unknown }).execve === 'function',
      argv: ['watch'],
      env,
      hugePages: () => mode,
      glibc: () => header.header?.glibcVersionRuntime,
    }) !== undefined
  );
}

const relaunches = expectedHere();

describe('the real command', () => {
  it.skipIf(process.platform !== 'linux')(
    `watch ${relaunches ? 'starts again in the same process with glibc.malloc.hugetlb=1, and SIGTERM still exits 0' : 'goes on as it is here (no process.execve, or huge pages not in madvise mode, or an older glibc), and SIGTERM exits 0'}`,
    async () => {
      const base = await tempDir();
      const lib = join(base, 'lib');
      await writeFiles(lib, { 'a.md': 'a\n' });
      expect((await run(['init', lib, '--remote', `fs:${join(base, 'remote')}`, '-o', 'createRoot=true'])).code).toBe(0);
      const env = { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'GLIBC_TUNABLES' && !k.startsWith('SYNCACROSS_'))), SYNCACROSS_CONFIG_DIR: base } as NodeJS.ProcessEnv;
      const child = spawn(process.execPath, [BIN, 'watch', lib, '--interval', '1'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
      try {
        const deadline = Date.now() + 30_000;
        while (!/watching /.test(stdout)) {
          if (Date.now() > deadline) throw new Error(`watch did not start: ${stderr}`);
          await new Promise((r) => setTimeout(r, 50));
        }
        // The pid spawn returned: after execve it is still this process, with the new environment.
        const environ = readFileSync(`/proc/${child.pid}/environ`, 'utf8').split('\0');
        if (relaunches) expect(environ).toContain('GLIBC_TUNABLES=glibc.malloc.hugetlb=1');
        else expect(environ.some((e) => e.startsWith('GLIBC_TUNABLES='))).toBe(false);
      } finally {
        child.kill('SIGTERM');
      }
      expect(await exited, stderr).toBe(0);
      expect(stdout).toMatch(/stopped watching/);
    },
    60_000,
  );
});
