/**
 * `Library.collect()` (docs/PROTOCOL.md §3.10): writes a checkpoint when this node knows more than
 * any listed one covers (so the next collection has one to rely on), plans what may go, and,
 * unless it is a dry run, deletes it and records here what it collected: the segments stay
 * applied in this node's state (a later checkpoint bundles them again), their journal entries
 * leave it (nothing will ever upload them again).
 */
import type { LocalState } from '../../local/state.js';
import { CollectionTable } from '../../local/collection-table.js';
import { SyncError } from '../../model/sync-error.js';
import type { CountingStorage } from '../../storage/wrappers/counting.js';
import { listCheckpoints } from '../checkpoints/read.js';
import { coveredSegments, writeCheckpoint, type WrittenCheckpoint } from '../checkpoints/write.js';
import { collects, collectsPacks, prunes, verifyRepository } from '../repository.js';
import { checkpointRetention, dueForPruning, retentionInForce } from '../retention/retention-in-force.js';
import type { RoundOptions } from '../round-context.js';
import { AuthorsTable } from '../../local/authors-table.js';
import { upgradeHoldFor } from '../upgrade/collection-hold.js';
import { carryOut, DEFAULT_COLLECTION_MARGIN_MS, planCollection, type CollectionContext, type CollectionPlan, type PackKnowledge } from './collect.js';
import { CondemnedPacks } from '../../local/condemned-packs.js';
import { announceCondemned } from './announce-condemned.js';
import type { LocalUse, PackPlan } from './pack-collection.js';
import { copyOut, readsBackElsewhere, type RepackIO } from './repack.js';
import { forgetGoneCondemnations } from './forget-condemnations.js';
import { repackLimits, repackRule } from './repack-plan.js';

/** How `Library.collect()` runs. */
export interface CollectOptions {
  /** How old a checkpoint must be, on the storage's clock, before the segments it bundles go (default 24 h). */
  marginMs?: number;
  /** Say what would go; delete nothing and write no checkpoint. */
  dryRun?: boolean;
  /** Ctrl-C: stops between deletes (what is deleted by then is collected; the next run finishes). */
  signal?: AbortSignal;
  /** How to wait for a storage whose listing lags behind a write (the clock probe looks again); tests pass one that returns at once. */
  sleep?: (ms: number) => Promise<void>;
}

/** What `Library.collect()` did. */
export interface CollectOutcome {
  /** Whether it was a dry run (nothing deleted, no checkpoint written). */
  dryRun: boolean;
  /** The checkpoint written first, if this node knew more than any listed one covered. */
  wrote?: WrittenCheckpoint;
  /** What it relied on and what could go (in a dry run: what would). */
  plan: CollectionPlan;
  /** Objects deleted (0 in a dry run). */
  deleted: number;
  /** Their bytes. */
  bytes: number;
}

/** A checkpoint written here: its coverage is known, and it bundles nothing this node lacks; no need to read it back. */
export function rememberOwnCheckpoint(state: Pick<LocalState, 'db'>, wrote: WrittenCheckpoint, frontier: Record<string, number>): void {
  const table = new CollectionTable(state.db);
  table.recordFrontier(wrote.key, { frontier, covered: wrote.covered });
  table.markLearned(wrote.key);
}

export async function collectLibrary(state: LocalState, storage: CountingStorage, options: RoundOptions, opts: CollectOptions): Promise<CollectOutcome> {
  const marginMs = opts.marginMs ?? DEFAULT_COLLECTION_MARGIN_MS;
  const format = state.round.get('format');
  if (!collects(format))
    throw new SyncError(
      'CannotCollect',
      format === 1
        ? 'this repository is format 1, made by an early release; its history cannot be collected, and it cannot be upgraded in place. Nothing was changed'
        : 'this repository is format 2, made by an earlier release; its history cannot be collected until it is upgraded (`syncacross upgrade`, once every machine that writes to it runs this release), since earlier releases would take a deleted segment for a lost one and upload it again. Nothing was changed',
    );
  if (!storage.capabilities.delete || !storage.delete) throw new SyncError('CannotCollect', `${storage.name} cannot delete objects, so nothing can be collected there; nothing was changed`);
  const repoIds = new Set(await verifyRepository(storage, state.round.get('repo'), format, state.round.get('encrypted')));
  const writer = state.round.get('writer');
  let wrote: WrittenCheckpoint | undefined;
  const covered = coveredSegments(state);
  const retention = await retentionInForce(state, storage, options.codec);
  if (!opts.dryRun && (covered.keys.length > ((await listCheckpoints(storage))[0]?.covered ?? 0) || dueForPruning(state, retention, options.now()))) {
    wrote = await writeCheckpoint(state, storage, options.codec, options.policy, opts.signal, checkpointRetention(retention, options.now()));
    if (wrote) rememberOwnCheckpoint(state, wrote, covered.frontier);
  }
  const authorOf = new AuthorsTable(state.db).resolver();
  const upgrade = await upgradeHoldFor(storage, [...repoIds].sort(), new Set([writer, ...state.round.get('retired')]), options.now(), state.round.get('format'), (w) => authorOf(w, undefined));
  // How repacking reads and writes packs (repack.ts).
  const io: RepackIO = { state, storage, codec: options.codec, packSize: options.packSize, ...(opts.signal ? { signal: opts.signal } : {}) };
  const ctx = {
    storage: storage as CountingStorage & { delete(key: string): Promise<void> },
    codec: options.codec,
    repoIds,
    writer,
    now: options.now,
    marginMs,
    policy: options.policy,
    ...(prunes(format) ? { retention: retention.setting?.key ?? null } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(upgrade ? { upgrade } : {}),
    ...(collectsPacks(format) ? { packs: packKnowledge(state, io, options.mergeSmallPacks) } : {}),
    ...((opts.sleep ?? options.sleep) ? { sleep: opts.sleep ?? options.sleep } : {}),
  };
  const plan = await planCollection(ctx);
  if (retention.notice) plan.notices.push(retention.notice);
  if (opts.dryRun) return { dryRun: true, ...(wrote ? { wrote } : {}), plan, deleted: 0, bytes: 0 };
  const known = state.knownSegments();
  const table = new CollectionTable(state.db);
  // Recorded before deleting: a crash in between leaves a segment marked collected that is still
  // listed, which changes nothing (it is read, or known, as before).
  state.transaction(() => {
    for (const s of plan.segments) if (known.has(s.key)) table.markCollected(s.key);
  });
  const done = await carryOut(ctx, plan);
  if (plan.packCollection) await settlePacks(state, ctx, io, plan.packCollection, plan.clock.skewMs);
  const journaled = state.journalKeys();
  state.transaction(() => {
    for (const s of plan.segments) if (journaled.has(s.key)) table.forgetJournal(s.key);
  });
  return { dryRun: false, ...(wrote ? { wrote } : {}), plan, ...done };
}

/**
 * After the deletes (§3.12): packs deleted here leave this node's state, announcements that no
 * longer stand are forgotten, so are the names of condemned packs gone for good, the chunks of packs being repacked are copied out, and the packs
 * newly found unneeded, with those repacked, are announced condemned in one segment that also
 * publishes the copies: a node that learns a repacked pack is condemned learns where its chunks
 * went at the same time.
 */
async function settlePacks(state: LocalState, c: CollectionContext, io: RepackIO, packs: PackPlan, skewMs: number): Promise<void> {
  const condemned = new CondemnedPacks(state.db);
  const deleted = packs.delete.map((o) => o.key);
  state.transaction(() => {
    state.forgetPacks(deleted);
    condemned.forgetOwn([...deleted, ...packs.withdrawn]);
  });
  await forgetGoneCondemnations(state.db, c.storage);
  // Never into a condemned pack, nor one being repacked: the same chunks packed again make the
  // same bytes, so a copy of what a crashed run copied before would land in that copy's own key.
  const avoid = new Set([...condemned.all(), ...packs.repack.packs.map((o) => o.key)]);
  const { copies, failed } = await copyOut(io, packs.repack, (key) => avoid.has(key));
  const announced = [...packs.condemn, ...packs.repack.packs.filter((o) => !failed.has(o.key))].map((o) => o.key);
  if (announced.length > 0) await announceCondemned(state, c.storage, c.codec, announced, () => c.now() - skewMs, copies, c.policy.publishesCopies());
}

/** What pack collection knows and reads here: this node's announcements, the locations it learned, and what its versions use. */
function packKnowledge(state: LocalState, io: RepackIO, mergeSmallPacks: number): PackKnowledge {
  const condemned = new CondemnedPacks(state.db);
  const inUse = new Set(state.packsInUse());
  const lengthsIn = state.db.prepare('SELECT hash, length FROM chunk_locations WHERE pack = ?');
  return {
    own: condemned.own(),
    condemnedHere: condemned.all(),
    // Whether this node's state has a location in the pack (it stays there until the pack is found gone).
    known: (pack) => inUse.has(pack),
    keptHere: () => keptIn(state),
    readsBackElsewhere: (homes) => readsBackElsewhere(io, homes),
    repackRule: repackRule((pack) => new Map((lengthsIn.all(pack) as { hash: string; length: number }[]).map((r) => [r.hash, r.length])), repackLimits(io.packSize, mergeSmallPacks)),
  };
}

/** The chunks of every version this node keeps, and every location it knows of them. */
function keptIn(state: LocalState): LocalUse {
  const used = new Set<string>();
  for (const r of state.db.prepare('SELECT json FROM versions').iterate() as Iterable<{ json: string }>) for (const h of (JSON.parse(r.json) as { chunks: string[] }).chunks) used.add(h);
  const locations: [string, string][] = [];
  for (const r of state.db.prepare('SELECT hash, pack FROM chunk_locations').iterate() as Iterable<{ hash: string; pack: string }>) if (used.has(r.hash)) locations.push([r.hash, r.pack]);
  return { used, locations };
}
