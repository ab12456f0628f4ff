// What `syncacross watch` costs while nothing happens: a library of N small files against a
// folder remote, watched with the default interval for a folder remote (5 s), measured once it
// is idle: CPU time used over a window (from /proc, so Linux only) and resident memory.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { generateSmallFiles } from './library.mjs';

const CLI = new URL('../packages/cli/bin/syncacross.mjs', import.meta.url).pathname;
const TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

function cpuSeconds(pid) {
  // utime and stime are fields 14 and 15; the command name (field 2) may hold spaces, so split after it.
  const rest = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(rest[11]) + Number(rest[12])) / TICKS;
}
const rssMb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function runWatchIdle(files, work, windowS = 60) {
  if (process.platform !== 'linux') return undefined;
  const base = join(work, `watch-idle-${files}`);
  const lib = join(base, 'lib');
  generateSmallFiles(lib, files);
  const env = { ...process.env, SYNCACROSS_CONFIG_DIR: join(base, 'config') };
  const init = spawnSync(process.execPath, [CLI, 'init', lib, '--remote', `fs:${join(base, 'remote')}`, '-o', 'createRoot=true'], { env, encoding: 'utf8' });
  if (init.status !== 0) throw new Error(`init failed: ${init.stderr}`);
  // As after a `service install` on a library already synced: the upload happened before.
  const sync = spawnSync(process.execPath, [CLI, 'sync', lib], { env, encoding: 'utf8' });
  if (sync.status !== 0) throw new Error(`sync failed: ${sync.stderr}`);
  const child = spawn(process.execPath, [CLI, 'watch', lib], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  // Idle: the first round (a look with nothing new) is done and the watcher has settled.
  await sleep(20_000);
  const cpu0 = cpuSeconds(child.pid);
  await sleep(windowS * 1000);
  const row = { files, windowS, idleCpuPercent: ((cpuSeconds(child.pid) - cpu0) / windowS) * 100, rssMb: rssMb(child.pid) };
  child.kill('SIGTERM');
  await new Promise((r) => child.on('close', r));
  rmSync(base, { recursive: true, force: true });
  console.log(JSON.stringify({ watchIdle: row }));
  return row;
}
