// Where a command's peak memory goes: its resident size sampled from outside every few
// milliseconds, and at the highest sample the resident bytes of each kind of mapping.
//
//   node bench/peak-memory.mjs [--every 10] [--json] [--timeline FILE] -- COMMAND [ARGS…]
//
// GNU time (measure.mjs) gives the peak alone; this says what it is made of. A sampler inside the
// process (setInterval) misses the peaks of work that holds the event loop (a commit, a heap
// snapshot's collection), and reading smaps from inside costs the process itself. The kinds, by
// what mostly fills them in a Node process: the node executable's code, shared libraries, glibc's
// main heap (`[heap]`: malloc'd blocks under its mmap threshold), and anonymous mappings by size:
// 256 KiB to 1 MiB is V8's heap pages, 32 MiB and over our pack buffers (packs.ts,
// PACK_ALLOCATION), the sizes between large array buffers and thread arenas. Linux only (/proc).
//
// The process sampled is the command's own, not its children: give the node command itself, not
// a wrapper such as /usr/bin/time. The report goes to stderr (the command's own output passes
// through); the exit code is the command's.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { constants } from 'node:os';
import { setInterval, clearInterval } from 'node:timers';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const MIB = 1024 * 1024;

/** The kind a mapping's Rss counts under, from its smaps header line. */
function mappingKind(header, executable) {
  const m = /^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \S+\s*(.*)$/.exec(header);
  if (!m) return undefined;
  const size = parseInt(m[2], 16) - parseInt(m[1], 16);
  const name = m[3];
  if (name === executable) return 'executable';
  if (name === '[heap]') return 'glibc heap';
  if (name.startsWith('[')) return name; // [stack], [vdso], …
  if (/\.so(\.|$)/.test(name) || name.endsWith('.node')) return 'shared libraries';
  if (name !== '') return 'other files';
  if (size >= 32 * MIB) return 'anonymous, 32 MiB and over';
  if (size > MIB) return 'anonymous, 1-32 MiB';
  if (size >= 256 * 1024) return 'anonymous, 256 KiB-1 MiB';
  return 'anonymous, under 256 KiB';
}

/** Resident MiB by kind in a /proc/PID/smaps text. */
export function residentByKind(smaps, executable) {
  const by = new Map();
  let kind;
  for (const line of smaps.split('\n')) {
    const header = mappingKind(line, executable);
    if (header !== undefined) {
      kind = header;
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss && kind) by.set(kind, (by.get(kind) ?? 0) + Number(rss[1]) / 1024);
  }
  return Object.fromEntries(
    [...by]
      .filter(([, mb]) => mb >= 0.05)
      .sort((a, b) => b[1] - a[1])
      .map(([k, mb]) => [k, +mb.toFixed(1)]),
  );
}

/** The process's resident MB; undefined once it has exited (a zombie's status has no VmRSS). */
function residentMb(pid) {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return kb === undefined ? undefined : Number(kb) / 1024;
}

/** Samples `pid` every `everyMs` until stopped; keeps the smaps breakdown of the highest sample. */
function sampler(pid, everyMs) {
  const started = Date.now();
  const state = { peakMb: 0, atS: 0, byKindAtMb: 0, byKind: {}, timeline: [] };
  const timer = setInterval(() => {
    try {
      const mb = residentMb(pid);
      if (mb === undefined) return;
      const t = (Date.now() - started) / 1000;
      state.timeline.push([t, +mb.toFixed(1)]);
      if (mb <= state.peakMb) return;
      Object.assign(state, { peakMb: mb, atS: t });
      // Read again once the peak is a mebibyte past the last reading: reading smaps takes a millisecond.
      if (mb < state.byKindAtMb + 1) return;
      Object.assign(state, { byKindAtMb: mb, byKind: residentByKind(readFileSync(`/proc/${pid}/smaps`, 'utf8'), readlinkSync(`/proc/${pid}/exe`)) });
    } catch {
      // the process is gone between two samples: what was sampled stands
    }
  }, everyMs);
  return { state, stop: () => clearInterval(timer), started };
}

function report(state, wallS, json) {
  const summary = { peakRssMb: +state.peakMb.toFixed(1), atS: +state.atS.toFixed(2), wallS: +wallS.toFixed(2), byKindAtMb: +state.byKindAtMb.toFixed(1), byKindMb: state.byKind };
  if (json) return `${JSON.stringify({ ...summary, samples: state.timeline.length })}\n`;
  // A command over before the first sample: saying 0 MB would read as a measurement.
  if (state.timeline.length === 0) return `no sample: the command ended within ${wallS} s, before the first one\n`;
  const rows = Object.entries(state.byKind).map(([k, mb]) => `  ${String(mb).padStart(7)}  ${k}`);
  return `peak RSS ${summary.peakRssMb} MB at ${summary.atS} s of ${summary.wallS} s; resident MB by mapping at ${summary.byKindAtMb} MB:\n${rows.join('\n')}\n`;
}

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { every: { type: 'string', default: '10' }, json: { type: 'boolean', default: false }, timeline: { type: 'string' } },
  });
  if (positionals.length === 0) throw new Error('usage: node bench/peak-memory.mjs [--every MS] [--json] [--timeline FILE] -- COMMAND [ARGS…]');
  if (!existsSync('/proc/self/smaps')) throw new Error('bench/peak-memory.mjs reads /proc/PID/smaps: Linux only');
  const everyMs = Number(values.every);
  if (!(everyMs >= 1)) throw new Error(`--every takes milliseconds, 1 or more (got ${values.every})`);
  const child = spawn(positionals[0], positionals.slice(1), { stdio: 'inherit' });
  const { state, stop, started } = sampler(child.pid, everyMs);
  const exited = new Promise((resolve, reject) => {
    child.on('error', reject);
    // A command killed by a signal exits as a shell reports it: 128 and the signal's number.
    child.on('exit', (c, signal) => resolve(c ?? 128 + (constants.signals[signal] ?? 0)));
  });
  const code = await exited.finally(stop); // a command that cannot start stops the sampler too
  process.stderr.write(report(state, (Date.now() - started) / 1000, values.json));
  if (values.timeline) writeFileSync(values.timeline, state.timeline.map(([t, mb]) => `${t}\t${mb}`).join('\n') + '\n');
  process.exitCode = code;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main().catch((e) => {
    process.stderr.write(`peak-memory: ${e.message}\n`);
    process.exitCode = 2;
  });
}
