// Runs a command under GNU time: wall (ns clock), CPU (user + sys) and peak RSS of the process tree's largest member.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The host's steal time so far, in seconds summed over this machine's CPUs (the eighth figure of
 * /proc/stat's `cpu` line, in USER_HZ ticks of 10 ms): time a virtual CPU was ready to run while
 * the hypervisor ran something else. On a shared host it moved a first upload's wall time by up
 * to 10 s between runs of the same code; recorded beside each sample, it tells a slow machine
 * from slow code. Undefined where there is no /proc/stat.
 */
function hostStealS() {
  try {
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/);
    return cpu[0] === 'cpu' && cpu[8] !== undefined ? Number(cpu[8]) / 100 : undefined;
  } catch {
    return undefined;
  }
}

export function measure(cmd, args, { env = {}, cwd } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-time-'));
  const out = join(dir, 'time');
  const stealBefore = hostStealS();
  const started = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', '%U %S %M', '-o', out, cmd, ...args], { env: { ...process.env, ...env }, cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  const stealAfter = hostStealS();
  const steal = stealBefore === undefined || stealAfter === undefined ? undefined : +(stealAfter - stealBefore).toFixed(2);
  const [user, sys, rssKb] = readFileSync(out, 'utf8').trim().split('\n').pop().split(' ').map(Number);
  rmSync(dir, { recursive: true, force: true });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return { wall, cpu: user + sys, rssMb: rssKb / 1024, steal, stdout: r.stdout, stderr: r.stderr };
}

export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export function duBytes(dir) {
  const r = spawnSync('du', ['-sb', dir], { encoding: 'utf8' });
  return Number(r.stdout.split('\t')[0]);
}

/**
 * The bytes of the objects a repository keeps: the sum of its files' sizes. Not `du -sb`, which
 * also counts each directory's own size (4 KiB on ext4): restic's folder layout makes 256 `data/`
 * folders up front, so `du -sb` added a mebibyte to restic's store that no object holds (and
 * that a cloud bucket, which has no folders, never bills).
 */
export function objectBytes(dir) {
  let total = 0;
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) if (e.isFile()) total += statSync(join(e.parentPath ?? e.path, e.name)).size;
  return total;
}
