// Huge pages for malloc, for the commands that move a library's worth of data.
//
// Every buffer a restore or a watch round reads, decodes and writes comes from glibc's malloc,
// and the kernel backs it a 4 KiB page at a time, one page fault per page. Where a fault is
// costly (measured on a 2-core KVM guest, 2026-12-05: 10.7 µs a fault, so touching 512 MiB took
// 1.4 s, and 38 ms in 2 MiB pages), a restore of the benchmark library spent about a second in
// faults alone (95,000 of them). glibc's `glibc.malloc.hugetlb=1` tunable (glibc 2.35 and later)
// makes malloc ask for transparent huge pages (madvise), so its memory comes 2 MiB at a time:
// 33,000 faults, and the restore 6.62 s against 8.00 (median of 5, Node 20, set by hand); Node
// 24, 6.61 s against 7.66. A first upload: 9.16 s against 10.21 (Node 20), 8.54 against 9.82
// (Node 24); peak RSS the same within 20 MB. On a machine whose faults are cheap it changes
// little either way.
//
// A tunable is read when the process starts, so the command starts again with it: execve, the
// same process (same pid, terminal, signals, exit code), on runtimes that have `process.execve`
// (Node 22.15, 23.11 and later). That costs one more start of Node, about 60 ms here, which a
// no-op sync would feel, so only `restore` and `watch` relaunch; `sync` does not. Only where it
// can help: Linux with glibc 2.35 or later and transparent huge pages in `madvise` mode (in
// `always` malloc has them already, in `never` there are none). A GLIBC_TUNABLES that names the
// tunable (`glibc.malloc.hugetlb=0` to turn this off) is left as it is.
import { readFileSync } from 'node:fs';

const TUNABLE = 'glibc.malloc.hugetlb';
const COMMANDS = new Set(['restore', 'watch']);

/** `a.b` as a number a.b, for comparing glibc versions ("2.36" → 2.36, "2.4" → 2.04). */
function versionNumber(v) {
  const [major, minor] = String(v).split('.').map(Number);
  return Number.isFinite(major) && Number.isFinite(minor) ? major + minor / 100 : 0;
}

/**
 * The environment to start this command again in, or undefined to go on as it is. Pure: every
 * fact about the machine comes in `facts`; the costly ones (`glibc`, `hugePages`) are functions,
 * asked only once the cheap ones have said yes.
 */
export function hugePagesRelaunch(facts) {
  const { platform, canExec, argv, env } = facts;
  if (platform !== 'linux' || !canExec) return undefined;
  const tunables = env.GLIBC_TUNABLES ?? '';
  if (tunables.includes(TUNABLE)) return undefined; // the user's choice, or this is the relaunch
  const command = argv.find((a) => !a.startsWith('-'));
  if (!command || !COMMANDS.has(command)) return undefined;
  if (facts.hugePages() !== 'madvise') return undefined;
  if (versionNumber(facts.glibc() ?? '0.0') < 2.35) return undefined;
  return { ...env, GLIBC_TUNABLES: tunables ? `${tunables}:${TUNABLE}=1` : `${TUNABLE}=1` };
}

/** The transparent huge page mode in force (`always`, `madvise`, `never`), or undefined. */
function hugePageMode() {
  try {
    return /\[(\w+)\]/.exec(readFileSync('/sys/kernel/mm/transparent_hugepage/enabled', 'utf8'))?.[1];
  } catch {
    return undefined;
  }
}

/** Starts this command again with huge pages for malloc where that helps; returns if it does not. */
export function relaunchWithHugePages() {
  const env = hugePagesRelaunch({
    platform: process.platform,
    canExec: typeof process.execve === 'function',
    argv: process.argv.slice(2),
    env: process.env,
    hugePages: hugePageMode,
    // About 8 ms (a whole diagnostic report), so asked last.
    glibc: () => {
      try {
        return process.report.getReport().header.glibcVersionRuntime;
      } catch {
        return undefined;
      }
    },
  });
  if (!env) return;
  try {
    process.execve(process.execPath, [process.execPath, ...process.execArgv, ...process.argv.slice(1)], env);
  } catch {
    // Refused (a sandbox, a resource limit): the command runs as it is, only without huge pages.
  }
}
