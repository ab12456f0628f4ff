/**
 * Long simulation campaigns: `npm run sim -- --seeds 100000 --nodes 2-5 --mode all --jobs 2`.
 * A single seed replays with its trace: `npm run sim -- --seed 42 --mode atomic --nodes 3`.
 * `--gc`: nodes collect garbage too (format 3, checkpoints on; schedule.ts).
 * `--case-insensitive`: one node's library on an exFAT mount (needs root; case-insensitive-disk.ts).
 */
import { fork } from 'node:child_process';
import { parseArgs } from 'node:util';
import { BROKEN_VARIANTS, type BrokenVariant } from './broken-variants.js';
import { runSchedule } from './schedule.js';
import { MODES, type Mode } from './storage-modes.js';

const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '100' },
    start: { type: 'string', default: '1' },
    seed: { type: 'string' },
    nodes: { type: 'string', default: '2-5' },
    mode: { type: 'string', default: 'all' },
    steps: { type: 'string', default: '40' },
    jobs: { type: 'string', default: '1' },
    broken: { type: 'string' },
    focus: { type: 'string' },
    local: { type: 'boolean', default: false },
    encrypted: { type: 'boolean', default: false },
    checkpoints: { type: 'boolean', default: false },
    prose: { type: 'boolean', default: false },
    offline: { type: 'boolean', default: false },
    gc: { type: 'boolean', default: false },
    'case-insensitive': { type: 'boolean', default: false },
    worker: { type: 'boolean', default: false },
  },
});

const modes: Mode[] = values.mode === 'all' ? [...MODES] : (values.mode!.split(',') as Mode[]);
for (const m of modes) if (!MODES.includes(m)) throw new Error(`unknown mode ${m}; one of: ${MODES.join(', ')}`);
const [lo, hi] = values.nodes!.includes('-') ? values.nodes!.split('-').map(Number) : [Number(values.nodes), Number(values.nodes)];
const steps = Number(values.steps);
const broken = values.broken as BrokenVariant | undefined;
if (broken !== undefined && !BROKEN_VARIANTS.includes(broken)) throw new Error(`unknown --broken ${broken}; one of: ${BROKEN_VARIANTS.join(', ')}`);
const focus = values.focus as 'restore' | 'rollback' | undefined;
if (focus !== undefined && focus !== 'restore' && focus !== 'rollback') throw new Error('--focus is restore or rollback');

/** Schedule i of a campaign: its seed picks the mode and the node count, so a range is reproducible. */
const plan = (seed: number) => ({
  seed,
  mode: modes[seed % modes.length]!,
  nodes: lo! + (seed % (hi! - lo! + 1)),
  steps,
  brokenVariant: broken,
  focus,
  localEdges: values.local,
  encrypted: values.encrypted,
  checkpoints: values.checkpoints,
  prose: values.prose,
  offline: values.offline,
  gc: values.gc,
  caseInsensitive: values['case-insensitive'],
});
const replay = (p: ReturnType<typeof plan>) =>
  `npm run sim -- --seed ${p.seed} --mode ${p.mode} --nodes ${p.nodes} --steps ${p.steps}${broken ? ` --broken ${broken}` : ''}${focus ? ` --focus ${focus}` : ''}${values.local ? ' --local' : ''}${values.encrypted ? ' --encrypted' : ''}${values.checkpoints ? ' --checkpoints' : ''}${values.prose ? ' --prose' : ''}${values.offline ? ' --offline' : ''}${values.gc ? ' --gc' : ''}${values['case-insensitive'] ? ' --case-insensitive' : ''}`;

type RangeResult = { ran: number; failures: string[]; events: Record<string, number> };

async function runRange(start: number, count: number): Promise<RangeResult> {
  const failures: string[] = [];
  const events: Record<string, number> = {};
  for (let seed = start; seed < start + count; seed++) {
    const p = plan(seed);
    const r = await runSchedule(p);
    for (const [k, v] of Object.entries(r.events)) events[k] = (events[k] ?? 0) + v;
    if ((seed - start + 1) % 1000 === 0) console.error(`progress: seeds ${start}..${seed} done, ${failures.length + (r.ok ? 0 : 1)} failed (${new Date().toISOString()})`);
    if (!r.ok) {
      failures.push(`seed ${seed} (${p.mode}, ${p.nodes} nodes): ${r.violations.join(' | ')}\n  replay: ${replay(p)}\n  last events:\n    ${r.trace.slice(-20).join('\n    ')}`);
      console.error(`failed: seed ${seed} (${p.mode}, ${p.nodes} nodes); replay: ${replay(p)}`); // at once: a long campaign may be stopped
    }
  }
  return { ran: count, failures, events };
}

if (values.seed !== undefined) {
  const seed = Number(values.seed);
  // The campaign's plan, but with the mode and node count given (not drawn from the seed).
  const p = { ...plan(seed), mode: modes[0]!, nodes: lo! };
  const r = await runSchedule(p);
  console.log(r.trace.join('\n'));
  console.log(r.ok ? `seed ${seed}: every invariant held` : `seed ${seed} violated:\n  ${r.violations.join('\n  ')}`);
  process.exit(r.ok ? 0 : 1);
} else if (values.worker) {
  const res = await runRange(Number(values.start), Number(values.seeds));
  process.send!(res);
} else {
  const total = Number(values.seeds);
  const start = Number(values.start);
  const jobs = Math.max(1, Number(values.jobs));
  const began = Date.now();
  const chunk = Math.ceil(total / jobs);
  const results = await Promise.all(
    Array.from({ length: jobs }, (_, j) => {
      const s = start + j * chunk;
      const n = Math.max(0, Math.min(chunk, start + total - s));
      return new Promise<RangeResult>((resolve, reject) => {
        if (n === 0) return resolve({ ran: 0, failures: [], events: {} });
        const child = fork(process.argv[1]!, [...process.argv.slice(2), '--worker', '--start', String(s), '--seeds', String(n)]);
        child.on('message', (m) => resolve(m as RangeResult));
        child.on('exit', (code) => code !== 0 && reject(new Error(`worker exited with ${code}`)));
      });
    }),
  );
  const ran = results.reduce((a, r) => a + r.ran, 0);
  const failures = results.flatMap((r) => r.failures);
  const events: Record<string, number> = {};
  for (const r of results) for (const [k, v] of Object.entries(r.events)) events[k] = (events[k] ?? 0) + v;
  for (const f of failures) console.log(f);
  console.log(`${ran - failures.length} passed, ${failures.length} failed`);
  console.log(
    `events: ${Object.entries(events)
      .sort()
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
  );
  console.log(`campaign: ${ran} schedules, seeds ${start}..${start + total - 1}, modes ${modes.join(',')}, ${lo}-${hi} nodes, ${steps} steps, ${((Date.now() - began) / 1000).toFixed(0)} s`);
  process.exit(failures.length ? 1 : 0);
}
