#!/usr/bin/env node
// npm run bench [-- --library standard|text --scale 0.1 --reps 3 --tools syncacross,syncacross-encrypted,syncacross-format1,rclone,restic --remotes folder,webdav --apache-etag mtime|digest --scaling 10000,50000,100000,200000 --history 2000 --watch-idle 20000]
// syncacross against rclone and restic on the same generated library, in one run; writes
// bench/out/results.json and bench/out/results.md.
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startApache } from './apache.mjs';
import { generateLibrary, mutateLibrary } from './library.mjs';
import { generateTextLibrary, mutateTextLibrary } from './text-library.mjs';
import { duBytes, median, objectBytes } from './measure.mjs';
import { runScaling } from './scaling.mjs';
import { runHistory } from './history.mjs';
import { runWatchIdle } from './watch-idle.mjs';
import { tools } from './tools.mjs';

const { values } = parseArgs({
  options: {
    // What the library is: notes, attachments and a database (library.mjs), or large text files (text-library.mjs).
    library: { type: 'string', default: 'standard' },
    scale: { type: 'string', default: '1' },
    reps: { type: 'string', default: '3' },
    tools: { type: 'string', default: 'syncacross,syncacross-encrypted,syncacross-format1,rclone,restic' },
    remotes: { type: 'string', default: 'folder,webdav' },
    scaling: { type: 'string', default: '10000,50000,100000,200000' },
    // Syncs of a long history (0: skip): what joining it and a no-op sync cost (history.mjs).
    history: { type: 'string', default: '2000' },
    // A library of this many files watched while nothing happens (0: skip; watch-idle.mjs).
    'watch-idle': { type: 'string', default: '20000' },
    // How the WebDAV remote's Apache makes etags: mtime (its default) or digest (apache.mjs).
    'apache-etag': { type: 'string', default: 'mtime' },
    out: { type: 'string', default: 'bench/out' },
  },
});
const scale = Number(values.scale);
const LIBRARIES = { standard: [generateLibrary, mutateLibrary], text: [generateTextLibrary, mutateTextLibrary] };
if (!Object.hasOwn(LIBRARIES, values.library)) {
  console.error(`bench: --library is one of ${Object.keys(LIBRARIES).join(', ')}, not ${values.library}`);
  process.exit(2);
}
const [generate, mutate] = LIBRARIES[values.library];
const reps = Number(values.reps);
for (const bin of ['rclone', 'restic', 'apache2']) {
  if (spawnSync('which', [bin]).status !== 0) {
    console.log(`installing ${bin} (apt-get)…`);
    spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', bin === 'apache2' ? 'apache2' : bin], { stdio: 'inherit' });
  }
}

const work = mkdtempSync(join(tmpdir(), 'syncacross-bench-'));
chmodSync(work, 0o755);
// Remembered repository keys go to the run's own folder, not the user's credentials.
process.env.SYNCACROSS_CONFIG_DIR = join(work, 'config');
const pristine = join(work, 'pristine');
console.log(`generating the ${values.library} library (scale ${scale}) in ${pristine}…`);
const meta = generate(pristine, { scale });
const libraryBytes = duBytes(pristine);
const apache = await startApache(join(work, 'apache'), { etag: values['apache-etag'] });
const results = [];

function record(tool, remoteKind, scenario, samples, extra) {
  const pick = (k) => median(samples.map((s) => s[k]).filter((x) => x !== undefined));
  // Every sample is kept, in the order of the repetitions, for paired ratios (below) and for a
  // reader who wants the spread, not only the median.
  const kept = samples.map((s) => ({ wallS: +s.wall.toFixed(3), flushS: +s.flush.toFixed(3), cpuS: +s.cpu.toFixed(2), peakRssMb: +s.rssMb.toFixed(1), hostStealS: s.steal }));
  const row = { tool, remote: remoteKind, scenario, wallS: pick('wall'), flushS: pick('flush'), cpuS: pick('cpu'), peakRssMb: pick('rssMb'), hostStealS: pick('steal'), ...extra, samples: kept };
  results.push(row);
  console.log(JSON.stringify(row));
}

try {
  const names = values.tools.split(',');
  for (const remoteKind of values.remotes.split(',')) {
    const runs = Object.fromEntries(names.map((n) => [n, { upload: [], noop: [], mutation: [], download: [], restore: [] }]));
    const extras = Object.fromEntries(names.map((n) => [n, {}]));
    // Repetitions outermost: the tools take turns, so a slow spell of the machine lands on all of
    // them rather than on one tool's every sample (the ratios are what the targets are set on).
    // Every other repetition runs them in the reverse order: a tool always run right after another
    // one (after its downloads and the removal of its gigabytes) would always pay for that.
    for (let rep = 0; rep < reps; rep++) {
      for (const name of rep % 2 === 0 ? names : [...names].reverse()) {
        const tool = tools[name];
        const base = join(work, `${name}-${remoteKind}-${rep}`);
        const lib = join(base, 'lib');
        cpSync(pristine, lib, { recursive: true, preserveTimestamps: true });
        const remote = remoteKind === 'folder' ? { kind: 'folder', dir: join(base, 'remote') } : { kind: 'webdav', url: apache.url, path: `${name}-${rep}` };
        if (remoteKind === 'webdav' && !name.startsWith('syncacross')) apache.mkcol(remote.path);
        const stored = () => objectBytes(remoteKind === 'folder' ? remote.dir : join(apache.davDir, remote.path));
        tool.init(lib, remote);
        apache.takeLog();
        const step = (key, fn) => {
          // Each step starts with nothing left to write back: otherwise a tool pays, in its fsyncs,
          // for the gigabyte the step before it (or the library copy) left in the page cache.
          spawnSync('sync');
          const m = fn();
          // What a tool wrote may still be in the page cache only: syncacross fsyncs every file and
          // pack it writes, restic the files of a local repository (restic PR 3436) but not those a
          // restore writes. How long the machine then takes to get the rest onto the disk is timed
          // apart (`flush`), beside wall time, not in it.
          const flushStarted = process.hrtime.bigint();
          spawnSync('sync');
          m.flush = Number(process.hrtime.bigint() - flushStarted) / 1e9;
          const http = apache.takeLog();
          runs[name][key].push(m);
          extras[name][key] = {
            requests: remoteKind === 'webdav' ? http.requests : m.requests,
            requestsByMethod: remoteKind === 'webdav' ? http.byMethod : m.raw?.requests,
            bytesUploaded: remoteKind === 'webdav' ? http.bytesUp : m.bytesUp,
            bytesStored: stored(),
          };
        };
        step('upload', () => tool.upload(lib, remote));
        // A no-op sync is one that finds nothing recently changed: files touched in the last 2 s
        // are re-hashed on purpose (racily-clean entries), so let that window pass first.
        spawnSync('sleep', ['2.5']);
        step('noop', () => tool.upload(lib, remote));
        mutate(lib);
        step('mutation', () => tool.upload(lib, remote));
        step('download', () => tool.download(join(base, 'second'), remote));
        // A machine with nothing but the remote: syncacross restore --remote, restic restore, rclone copy.
        step('restore', () => tool.restore(join(base, 'restored'), remote));
        rmSync(base, { recursive: true, force: true });
      }
    }
    for (const name of names) for (const key of Object.keys(runs[name])) record(name, remoteKind, key, runs[name][key], extras[name][key]);
  }
} finally {
  apache.stop();
}

const scaling = values.scaling ? runScaling(values.scaling.split(',').map(Number), work) : [];
const history = Number(values.history) > 0 ? await runHistory(Number(values.history), work) : undefined;
const watchIdle = Number(values['watch-idle']) > 0 ? await runWatchIdle(Number(values['watch-idle']), work) : undefined;
rmSync(work, { recursive: true, force: true });

// Ratios of each syncacross configuration to each peer, per remote and scenario (below 1:
// syncacross is better), and what encryption costs: encrypted ÷ the same format unencrypted.
const isOurs = (tool) => tool.startsWith('syncacross');
const ratios = [];
function ratio(r, peer, versus) {
  const q = (k) => (peer[k] ? +(r[k] / peer[k]).toFixed(3) : null);
  // The tools take turns within each repetition, so sample i of one ran minutes from sample i of
  // the other: the median of those pairs' ratios is less moved by a slow spell of the host than
  // the ratio of the medians, which may come from different repetitions.
  const pairs = r.samples.map((s, i) => s.wallS / peer.samples[i]?.wallS).filter((x) => Number.isFinite(x));
  // Until the data is on the disk: wall time and the flush after it, paired the same way.
  const onDisk = (s) => s.wallS + s.flushS;
  const pairsOnDisk = r.samples.map((s, i) => onDisk(s) / onDisk(peer.samples[i] ?? {})).filter((x) => Number.isFinite(x));
  ratios.push({
    tool: r.tool,
    remote: r.remote,
    scenario: r.scenario,
    versus,
    wall: q('wallS'),
    wallPaired: pairs.length > 0 ? +median(pairs).toFixed(3) : null,
    onDiskPaired: pairsOnDisk.length > 0 ? +median(pairsOnDisk).toFixed(3) : null,
    cpu: q('cpuS'),
    peakRss: q('peakRssMb'),
    requests: q('requests'),
    bytesUploaded: q('bytesUploaded'),
    bytesStored: q('bytesStored'),
  });
}
for (const r of results.filter((x) => isOurs(x.tool))) {
  for (const peer of results.filter((x) => !isOurs(x.tool) && x.remote === r.remote && x.scenario === r.scenario)) ratio(r, peer, peer.tool);
}
for (const r of results.filter((x) => x.tool === 'syncacross-encrypted')) {
  const plain = results.find((x) => x.tool === 'syncacross' && x.remote === r.remote && x.scenario === r.scenario);
  if (plain) ratio(r, plain, 'syncacross (unencrypted)');
}

mkdirSync(values.out, { recursive: true });
const summary = {
  date: new Date().toISOString(),
  library: values.library,
  scale,
  reps,
  apacheEtag: values['apache-etag'],
  libraryBytes,
  smallFiles: meta.smallFiles,
  results,
  ratios,
  scaling,
  history,
  watchIdle,
};
writeFileSync(join(values.out, 'results.json'), JSON.stringify(summary, null, 2));
const mb = (b) => (b === undefined ? '' : (b / 1048576).toFixed(1));
const md = [
  `# syncacross vs rclone vs restic (${values.library === 'standard' ? '' : `${values.library} library, `}scale ${scale}, median of ${reps}; library ${mb(libraryBytes)} MiB)`,
  '',
  ...(values.remotes.split(',').includes('webdav') ? [`WebDAV: Apache 2.4 mod_dav_fs with \`--apache-etag ${values['apache-etag']}\` (bench/apache.mjs).`, ''] : []),
  '| tool | remote | scenario | wall s | then flush s | CPU s | peak RSS MB | requests | by method | uploaded MiB | stored MiB | host steal s |',
  '|---|---|---|---|---|---|---|---|---|---|---|---|',
  ...results.map(
    (r) =>
      `| ${r.tool} | ${r.remote} | ${r.scenario} | ${r.wallS.toFixed(2)} | ${r.flushS.toFixed(2)} | ${r.cpuS.toFixed(2)} | ${r.peakRssMb.toFixed(0)} | ${r.requests ?? ''} | ${
        r.requestsByMethod
          ? Object.entries(r.requestsByMethod)
              .filter(([, n]) => n)
              .map(([k, n]) => `${k} ${n}`)
              .join(', ')
          : ''
      } | ${mb(r.bytesUploaded)} | ${mb(r.bytesStored)} | ${r.hostStealS?.toFixed(1) ?? ''} |`,
  ),
  '',
  '## Ratios (syncacross ÷ peer; below 1 is better for syncacross)',
  '',
  '"wall, paired": the median of the ratios within each repetition. "to disk, paired": the same of wall time plus the flush after it (`sync`: what the tool left in the page cache reaching the disk; syncacross fsyncs everything it writes, the peers not all of it), beside wall time, not instead of it. "host steal s" above: the median time the hypervisor gave this machine\'s CPUs to others during a sample (summed over CPUs).',
  '',
  '| tool | remote | scenario | vs | wall | wall, paired | to disk, paired | CPU | peak RSS | requests | uploaded | stored |',
  '|---|---|---|---|---|---|---|---|---|---|---|---|',
  ...ratios.map(
    (r) =>
      `| ${r.tool} | ${r.remote} | ${r.scenario} | ${r.versus} | ${r.wall ?? ''} | ${r.wallPaired ?? ''} | ${r.onDiskPaired ?? ''} | ${r.cpu ?? ''} | ${r.peakRss ?? ''} | ${r.requests ?? ''} | ${r.bytesUploaded ?? ''} | ${r.bytesStored ?? ''} |`,
  ),
  '',
  // A run without the scaling scenarios (`--scaling ''`) has no table of them, not an empty one.
  ...(scaling.length > 0
    ? [
        '## Scaling: first upload, a sync with nothing changed, one file edited (syncacross, folder remote)',
        '',
        '| small files | first upload s | its peak RSS MB | no-op wall s | requests | peak RSS MB | one edit s | its peak RSS MB |',
        '|---|---|---|---|---|---|---|---|',
        ...scaling.map(
          (s) =>
            `| ${s.files} | ${s.firstUploadS.toFixed(1)} | ${s.firstUploadRssMb.toFixed(0)} | ${s.wallS.toFixed(2)} | ${s.requests} | ${s.peakRssMb.toFixed(0)} | ${s.oneEditS.toFixed(2)} | ${s.oneEditRssMb.toFixed(0)} |`,
        ),
        '',
      ]
    : []),
  ...(history
    ? [
        `## A long history: ${history.rounds} syncs of small edits on ${history.files} files (syncacross, folder remote)`,
        '',
        `${history.segments} segments, ${history.remoteObjects} objects on the remote, state.db ${history.stateDbMb.toFixed(1)} MB; a sync with nothing new: ${history.noopRequests} request(s).`,
        '',
        '| a new machine joins | wall s | requests | reads | listings |',
        '|---|---|---|---|---|',
        ...[
          ['from a checkpoint', history.joinFromCheckpoint],
          ['segment by segment (checkpoints off)', history.joinSegmentBySegment],
          ['after gc', history.afterGc.joinFromCheckpoint],
          [`after pruning (${history.afterRetention.policy})`, history.afterRetention.joinFromCheckpoint],
        ].map(([how, j]) => `| ${how} | ${j.wallS.toFixed(2)} | ${j.requests} | ${j.gets} | ${j.lists} |`),
        '',
        `After gc (${history.afterGc.gcS.toFixed(2)} s, ${history.afterGc.deleted} objects deleted): ${history.afterGc.segments} segments, ${history.afterGc.remoteObjects} objects on the remote, state.db ${history.afterGc.stateDbMb.toFixed(1)} MB; the first sync after it: ${history.afterGc.firstSyncRequests} request(s); a sync with nothing new: ${history.afterGc.noopRequests} request(s).`,
        '',
        `After a retention policy (${history.afterRetention.policy}: ${history.afterRetention.pruned} versions pruned, ${history.afterRetention.deleted} objects deleted, ${history.afterRetention.gcS.toFixed(2)} s): ${history.afterRetention.versions} versions known (${history.afterGc.versions} before), state.db ${history.afterRetention.stateDbMb.toFixed(1)} MB, ${history.afterRetention.segments} segments and ${history.afterRetention.remoteObjects} objects on the remote (${history.afterRetention.packs} packs, of ${history.afterRetention.packsBefore}: ${history.afterRetention.packsCondemned} condemned and ${history.afterRetention.packsRepacked ?? 0} repacked by one gc, ${history.afterRetention.packsDeleted} deleted by the next); a sync with nothing new: ${history.afterRetention.noopRequests} request(s).`,
        '',
      ]
    : []),
  ...(watchIdle
    ? [
        `## Watching ${watchIdle.files} files while nothing happens (syncacross watch, folder remote, a look every 5 s)`,
        '',
        `${watchIdle.idleCpuPercent.toFixed(2)} % of one core over ${watchIdle.windowS} s; ${watchIdle.rssMb.toFixed(0)} MB resident.`,
        '',
      ]
    : []),
];
writeFileSync(join(values.out, 'results.md'), md.join('\n'));
console.log(md.join('\n'));
