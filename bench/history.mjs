// A long history (docs/PROTOCOL.md §3.9-3.12): a 200-file library (format 5) edited a little in
// each of N syncs against a folder remote, then what a new machine pays to join it (from a
// checkpoint, and with checkpoints turned off: every segment read), what a sync with nothing new
// costs, and how big the remote and the state database have grown; then the same after garbage
// collection (`collect`, margin 0: one writer, nobody else syncing), and after pruning by a
// retention policy and the collection of the packs it left unneeded. In-process, through the
// library API: the figures are requests and objects, which do not depend on the process.
import { mkdirSync, rmSync, statSync, writeFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { openLibrary } from '../packages/sync-core/dist/index.js';
import { createFsStorage } from '../packages/adapter-fs/dist/index.js';

const FILES = 200;

function countFiles(dir) {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) n += e.isDirectory() ? countFiles(join(dir, e.name)) : 1;
  return n;
}

async function join_(remoteDir, dir, checkpoints) {
  const storage = await createFsStorage({ root: remoteDir });
  const lib = await openLibrary({ dir, storage, nodeName: 'joiner', checkpoints: checkpoints ? {} : false });
  const started = process.hrtime.bigint();
  const s = await lib.sync();
  const wallS = Number(process.hrtime.bigint() - started) / 1e9;
  await lib.close();
  return { wallS, requests: s.totalRequests, gets: s.requests.get ?? 0, lists: s.requests.list ?? 0 };
}

export async function runHistory(rounds, work) {
  const base = join(work, `history-${rounds}`);
  const lib = join(base, 'lib');
  const remoteDir = join(base, 'remote');
  mkdirSync(lib, { recursive: true });
  mkdirSync(remoteDir, { recursive: true });
  for (let i = 0; i < FILES; i++) writeFileSync(join(lib, `note-${i}.md`), `note ${i}\n`.repeat(20));
  // Collection only when asked (below): the figures before it are of the whole history.
  const a = await openLibrary({ dir: lib, storage: await createFsStorage({ root: remoteDir }), nodeName: 'writer', stableAfterMs: 0, newRepository: { format: 5 }, collection: false });
  await a.sync();
  const started = process.hrtime.bigint();
  for (let r = 1; r <= rounds; r++) {
    writeFileSync(join(lib, `note-${r % FILES}.md`), `note ${r % FILES}, edit ${r}\n`.repeat(20));
    await a.sync();
  }
  const historyS = Number(process.hrtime.bigint() - started) / 1e9;
  const noop = await a.sync();
  const row = {
    rounds,
    files: FILES,
    historyS,
    segments: countFiles(join(remoteDir, 'log')),
    remoteObjects: countFiles(remoteDir),
    stateDbMb: statSync(join(lib, '.syncacross', 'state.db')).size / 2 ** 20,
    noopRequests: noop.totalRequests,
    joinFromCheckpoint: await join_(remoteDir, join(base, 'joined'), true),
    joinSegmentBySegment: await join_(remoteDir, join(base, 'joined-plain'), false),
  };
  // Collection: the first run writes the checkpoint of everything, the second relies on it.
  const gcStarted = process.hrtime.bigint();
  const first = await a.collect({ marginMs: 0 });
  const second = await a.collect({ marginMs: 0 });
  const gcS = Number(process.hrtime.bigint() - gcStarted) / 1e9;
  // The first sync after a collection costs more than the steady no-op: log/ changed, so it lists
  // checkpoints/ and, reading the new one, says again that it reads this format (ready/ and
  // reads/: puts that find the objects there). Both are reported.
  const firstAfter = await a.sync();
  const noopAfter = await a.sync();
  row.afterGc = {
    gcS,
    deleted: first.deleted + second.deleted,
    segments: countFiles(join(remoteDir, 'log')),
    remoteObjects: countFiles(remoteDir),
    stateDbMb: statSync(join(lib, '.syncacross', 'state.db')).size / 2 ** 20,
    firstSyncRequests: firstAfter.totalRequests,
    noopRequests: noopAfter.totalRequests,
    joinFromCheckpoint: await join_(remoteDir, join(base, 'joined-after-gc'), true),
    versions: a.history().length,
  };
  // Retention: keep the 3 newest versions of each file; a collection writes the pruning checkpoint,
  // and (relying on it at once: margin 0, one writer) condemns the packs nothing kept needs; the
  // next deletes them. Versions, state, packs and join then depend on the library, not on the number
  // of rounds.
  await a.retention({ keepLast: 3 });
  const packsBefore = countFiles(join(remoteDir, 'packs'));
  const pruneStarted = process.hrtime.bigint();
  const pruning = await a.collect({ marginMs: 0 });
  const relying = await a.collect({ marginMs: 0 });
  const deleting = await a.collect({ marginMs: 0 });
  const collections = [pruning, relying, deleting].map((c) => c.plan.packCollection);
  const pruneS = Number(process.hrtime.bigint() - pruneStarted) / 1e9;
  await a.sync();
  const noopPruned = await a.sync();
  row.afterRetention = {
    policy: 'keepLast 3',
    gcS: pruneS,
    pruned: pruning.wrote?.pruned ?? 0,
    deleted: pruning.deleted + relying.deleted + deleting.deleted,
    versions: a.history().length,
    segments: countFiles(join(remoteDir, 'log')),
    remoteObjects: countFiles(remoteDir),
    packsBefore,
    packs: countFiles(join(remoteDir, 'packs')),
    // Packs no kept version needs, condemned by one collection and deleted by the next.
    unneededPacks: pruning.plan.packs ?? null,
    packsCondemned: collections.reduce((n, p) => n + (p?.condemn.length ?? 0), 0),
    packsDeleted: collections.reduce((n, p) => n + (p?.delete.length ?? 0), 0),
    // Packs still needed but small (one per sync that wrote something) or mostly unused: merged, their needed chunks copied.
    packsRepacked: collections.reduce((n, p) => n + (p?.repack.packs.length ?? 0), 0),
    stateDbMb: statSync(join(lib, '.syncacross', 'state.db')).size / 2 ** 20,
    noopRequests: noopPruned.totalRequests,
    joinFromCheckpoint: await join_(remoteDir, join(base, 'joined-after-retention'), true),
  };
  await a.close();
  rmSync(base, { recursive: true, force: true });
  console.log(JSON.stringify({ history: row }));
  return row;
}
