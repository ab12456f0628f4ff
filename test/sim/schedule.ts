/**
 * One simulated schedule: N engine instances in this process, each with its own folder and a
 * virtual clock (skewed), over one storage distorted by the mode; a seeded scheduler decides
 * every event and the fate of every storage request. Invariants are checked as it runs and at
 * quiescence.
 */
// The harness's own file work is synchronous: it is tiny, and thread-pool round trips were most
// of a schedule's cost.
import { cpSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLibrary, type Library, type LibraryOptions, type Storage, type SyncSummary } from '@syncacross/sync-core';
import { openLibraryWithPolicy } from '@syncacross/sync-core/testing';
import type { Segment } from '../../packages/sync-core/src/engine/segment-format.js';
import { brokenPolicy, type BrokenVariant } from './broken-variants.js';
import { CrashError, Gate, type Fate } from './gate.js';
import {
  checkAcknowledged,
  checkChunksReachable,
  checkConvergence,
  checkDeletesSawWhatTheyRemoved,
  checkNothingFromOutside,
  checkOnlyUserDeletes,
  checkReportedTooLong,
  checkWriters,
  contentChunks,
  chunksInStoredPacks,
  liveChunks,
  remoteVersions,
  checkAuthorsNamed,
  personOf,
  type Expectation,
} from './invariants.js';
import { tooLongHere, withMacWriter } from './mac-writer.js';
import { behindLink, linkInTheWay, canWriteFile, CLASH_PATHS, diskFiles, linkEvent, linksIn, makeOutside, OUTSIDE_CONTENT, snapshot } from './local-edges.js';
import { Rng } from './rng.js';
import { FORMAT_1, type RepositoryCodec } from '../../packages/sync-core/src/codec/repository-codec.js';
import { chunkLocations } from '../../packages/sync-core/src/engine/chunk-locations.js';
import { makeStorage, type Mode, type SimStorage } from './storage-modes.js';
import { withCollectionChecks } from './collection-checks.js';
import { readCheckpoints, type ReadCheckpoint } from './checkpoint-contents.js';
import { CASE_PATHS, caseInsensitiveFolder, caseKey, caseRename, fileIsThere, readIfThere, saveFile, spelledOnDisk } from './case-insensitive-disk.js';
import { caseClashing, checkCaseClashes, checkNoEditOfTwin, recordedSpelling } from './case-checks.js';
import { PackAnnouncements, pendingHeld, rescueDrops, type PendingHeld } from './pack-checks.js';
import { earlierContent } from './reverts.js';
import { NEWEST_FORMAT } from '../../packages/sync-core/src/engine/repository.js';
import { checkNothingStale, heldBy, noteApplied, prunedAt, wronglyDropped, type Held } from './retention-checks.js';
import type { AppliedRetention } from '../../packages/sync-core/src/local/superseded-table.js';
import type { HashedVersion } from '../../packages/sync-core/src/model/version.js';

export interface ScheduleOptions {
  seed: number;
  mode: Mode;
  nodes: number;
  steps?: number;
  brokenVariant?: BrokenVariant;
  /** Weigh events towards one kind (used to hunt a specific bug quickly). */
  focus?: 'restore' | 'rollback';
  /**
   * Local file-system edges too (local-edges.ts): folders turned into symbolic links, links to a
   * folder outside the library, and `d` or `d/e` written as files. Drawn from a second random
   * stream, so schedules without them replay as before.
   */
  localEdges?: boolean;
  /**
   * Every node on one encrypted, compressed repository (format 2, docs/PROTOCOL.md §3.5-3.6),
   * created by whichever node opens first: the invariants must hold unchanged.
   */
  encrypted?: boolean;
  /**
   * Checkpoints every few segments, and read by any node that finds two segments new to it
   * (docs/PROTOCOL.md §3.9): written and read through the same crashes, unknown outcomes, lagging
   * listings, restores and rollbacks as everything else.
   */
  checkpoints?: boolean;
  /**
   * Files of a few hundred bytes of prose instead of a dozen: small chunks that compress, so a
   * format-7 pack writer makes a dictionary and packs chunks with it (docs/PROTOCOL.md §3.5,
   * codec 4), through every fault. The same draws: only the written text grows.
   */
  prose?: boolean;
  /**
   * Nodes go offline for a while (every request fails at once, as on a laptop with no network):
   * their syncs stage what changed in the outbox (engine/outbox/), their users keep editing, and
   * the outbox drains when they are back. Drawn from a third random stream.
   */
  offline?: boolean;
  /**
   * Garbage collection (docs/PROTOCOL.md §3.10): every node on a format-3 repository with
   * checkpoints, and idle nodes now and then collecting with a margin of {@link GC_MARGIN_MS},
   * through the same crashes, lagging listings, restores, clones and rollbacks; every delete is
   * checked as it happens (collection-checks.ts). Drawn from a fourth random stream. In two
   * schedules of five (drawn from a fifth stream) the repository starts as format 2 and an idle
   * node upgrades it at some point (docs/PROTOCOL.md §3.7; at the latest before the final
   * collection): until then collection refuses; after, every node must follow. Otherwise it is
   * format 4, and in one schedule of two (a sixth stream) an idle node sets a short retention
   * policy now and then (at the latest before the final collection): checkpoints prune, nodes drop
   * what was pruned, and retention-checks.ts judges every version a node stops holding.
   */
  gc?: boolean;
  /**
   * One node (and its clones) keeps its library on a real case-insensitive disk (an exFAT mount,
   * case-insensitive-disk.ts); the others write and rename names that differ only in case. Throws
   * where the disk cannot be mounted. Drawn from a fifth random stream.
   */
  caseInsensitive?: boolean;
}

/** The margin the simulation's collections keep: sleeps of up to ten minutes cross it. */
export const GC_MARGIN_MS = 60_000;

/** A collection finished (a round's promise resolves to this instead of a summary). */
class CollectionDone extends Error {}

export interface ScheduleResult {
  ok: boolean;
  violations: string[];
  trace: string[];
  /** How many of each kind of event the schedule had (a campaign reports the totals). */
  events: Record<string, number>;
}

/** Every repository id the storage holds, of either format (aliases after racing inits). */
const repositoryIds = (raw: Map<string, Uint8Array>) => [...raw.keys()].flatMap((k) => /^(?:repo|repository)\/([0-9a-f]{32})$/.exec(k)?.[1] ?? []);

const PATHS = ['a.txt', 'b.txt', 'd/c.txt', 'd/e/f.txt'];
// Memory-backed where there is one: the nodes' folders are real files, but fsync costs nothing.
const SIM_TMP = process.env.SIM_TMPDIR ?? (existsSync('/dev/shm') ? '/dev/shm' : tmpdir());
/** What `prose` adds to every text written: a few hundred bytes that compress, and compress better with a dictionary of the others. */
const PROSE = 'a library of notes and papers kept in sync between machines, each version of each file written once and read back wherever it is needed; '.repeat(3);

/** How a writer says that versions it sent late had lost their content to a collection (rescue-condemned.ts). */
const SENT_LATE_LOST = /went out after their content's pack was collected, and the files have changed since/;
const FORK_FREE: ReadonlySet<Mode> = new Set(['atomic', 'check-then-write', 'preconditions-ignored', 'duplicate-names', 'unknown-outcomes', 'rate-limited', 'torn-reads', 'hostile-writer']);

/** Cumulative thresholds of a uniform draw that pick the event kind; the rest sleeps. */
const DEFAULT_WEIGHTS = { release: 0.3, write: 0.58, rename: 0.64, sync: 0.87, backup: 0.9, restore: 0.93, clone: 0.945, saveStorage: 0.96, rollback: 0.975 };
const RESTORE_FOCUS = { release: 0.3, write: 0.45, rename: 0.45, sync: 0.7, backup: 0.82, restore: 0.97, clone: 0.97, saveStorage: 0.97, rollback: 0.97 };
const ROLLBACK_FOCUS = { release: 0.3, write: 0.5, rename: 0.55, sync: 0.78, backup: 0.8, restore: 0.82, clone: 0.82, saveStorage: 0.9, rollback: 0.97 };

interface Write {
  path: string;
  content: string | null; // null: deleted
  acknowledged: boolean;
  lost: boolean;
  /** Step at which it was acknowledged. */
  ackStep?: number;
  /** Its version survives, but its content was lost on every side (it cannot be on any disk). */
  contentLost?: boolean;
}

/** The policies schedules set: short ones, so that a 40-step schedule prunes (each with a window, so a version within it must survive). */
const SIM_POLICIES = [{ keepLast: 1 }, { keepLast: 2, keepWithinMs: 300_000 }, { keepLast: 1, keepWithinMs: 60_000 }, { keepHourly: 1, keepWithinMs: 120_000 }];

interface SimNode {
  name: string;
  dir: string;
  gate: Gate;
  skew: number;
  lib?: Library;
  /** The key of an encrypted repository, remembered at its first open (reopens need no request). */
  repoKey?: Uint8Array;
  round?: Promise<SyncSummary | Error>;
  roundStartWrite: number;
  writes: Write[];
  backups: { dir: string; writes: number; step: number }[];
  knownVersions: Set<string>;
  /** What it held at the end of the last step (retention-checks.ts), and what of it was not published yet (pack-checks.ts). */
  held?: Held;
  pendingHeld?: PendingHeld;
  /** Every retention it was seen to have pruned by, in order. */
  appliedSeen: AppliedRetention[];
  /** Every writer id this node has written under (a clone shares its original's). */
  writers: Set<string>;
  /** For each path this node's user deleted or renamed away: every version the node knew then. */
  sawAtDelete: Map<string, Set<string>>;
}

export async function runSchedule(o: ScheduleOptions): Promise<ScheduleResult> {
  const rng = new Rng(o.seed);
  const trace: string[] = [];
  const violations: string[] = [];
  let clock = 1_800_000_000_000;
  const sim: SimStorage = makeStorage(o.mode, rng, () => clock);
  const grng = new Rng(o.seed * 15485863 + 7);
  const urng = new Rng(o.seed * 2147483647 + 13);
  const upgrading = o.gc === true && urng.chance(0.4);
  const rrng = new Rng(o.seed * 6700417 + 19);
  const retaining = o.gc === true && rrng.chance(0.5);
  const prosed = (text: string) => (o.prose ? `${text} ${PROSE}` : text);
  // Pack collection (§3.12): a seventh stream, so schedules without --gc replay as before.
  const prng = new Rng(o.seed * 1000003 + 61);
  // Upgrades start at format 2 or 3 (made by earlier releases), or in one of three at 4 or 5 (the
  // releases before pack collection and before brotli metadata), and end at the newest (7, which
  // also switches on pack dictionaries on the way); otherwise the newest from the start. Not 6:
  // drawing it too would change every such schedule, and the checker tests' seeds with them.
  const fromLater = upgrading && prng.chance(1 / 3);
  // 4 or 5 from a stream of its own (an eighth), so the pack collection's draws stay what they were.
  const later = new Rng(o.seed * 2147483647 + 71).pick([4, 5] as const);
  const startFormat = upgrading ? (fromLater ? later : rrng.pick([2, 3] as const)) : NEWEST_FORMAT;
  // Every condemnation the storage has shown (pack-checks.ts), and the nodes a rollback came under mid-operation.
  const announcements = new PackAnnouncements();
  const rolledUnder = new Set<string>();
  // Versions dropped unpublished by the rescue of condemned content (rescueDrops): no edit the checks expect.
  const droppedUnpublished = new Set<string>();
  let policySet = false;
  // Every version any node has held at the end of a step (the acknowledged-edit check finds pruned ones here).
  const everSeen = new Map<string, HashedVersion>();
  const base = mkdtempSync(join(SIM_TMP, `sim-${o.seed}-`));
  const nodes: SimNode[] = [];
  const retired = new Map<string, Set<string>>();
  const retiredBy = new Map<string, { node: string; step: number }>(); // who retired a writer id, and when
  // Every segment key the storage has held at the end of some step: a retired writer's segment the
  // storage lost and its journal sends again (same key, same bytes, §7 step 3) is not a new one.
  const seenSegments = new Set<string>();
  const cloned = new Set<string>();
  let counter = 0;
  let currentStep = 0;
  const savedStorage: { saved: unknown; step: number }[] = [];
  const decoded = new Map<string, Segment | undefined>(); // segments are immutable: decode each once
  // The checker reads the storage as the repository stores it: its codec (format and key), from any node.
  const codec = (): RepositoryCodec => nodes.find((n) => n.lib)?.lib!.options.codec ?? FORMAT_1;
  let rollbacks = 0;
  let restores = 0;
  const log = (s: string) => trace.push(`[${currentStep}] ${s}`);
  const lrng = new Rng(o.seed * 7919 + 17);
  const orng = new Rng(o.seed * 104729 + 31);
  const crng = new Rng(o.seed * 49157 + 43);
  // The case-insensitive node, and the folder on the mounted disk its library (and clones) live in.
  const ciBase = o.caseInsensitive ? caseInsensitiveFolder(`sim-${o.seed}`) : undefined;
  const folding = new Set(ciBase ? [`n${crng.int(o.nodes)}`] : []);
  const foldsCase = (name: string) => folding.has(name);
  const folderOf = (name: string) => join(foldsCase(name) ? ciBase! : base, name);
  // A folder outside every library that links point to: no honest node may change anything in it.
  const outside = o.localEdges ? makeOutside(base) : undefined;
  let outsideAsLeft = outside ? snapshot(outside) : '';
  // With local edges, an honest Mac shares the storage and publishes names too long for Linux.
  let calm = false;
  const mac = o.localEdges ? withMacWriter(sim.storage, lrng, () => calm) : undefined;
  const distorted = mac?.storage ?? sim.storage;
  // Per node: the checkpoints a storage rollback took while that node's operation was in flight (collection-checks.ts).
  const lostUnder = new Map<string, Map<string, { checkpoint: ReadCheckpoint; stampedAt: number }>>();
  const checkpointCache = new Map<string, ReadCheckpoint | undefined>();
  const storageFor = (name: string): Storage =>
    o.gc
      ? withCollectionChecks(
          distorted,
          {
            raw: () => sim.raw(),
            stamps: () => sim.stamps(),
            repoIds: () => repositoryIds(sim.raw()),
            codec: () => codec(),
            now: () => clock,
            marginMs: GC_MARGIN_MS,
            violation: (m) => violations.push(`at step ${currentStep}: ${m}`),
            deleted: (k) => log(`storage: ${k} collected`),
            lostUnderMe: () => lostUnder.get(name) ?? new Map(),
            rolledBackUnderMe: () => rolledUnder.has(name),
            segments: decoded,
            announcements,
          },
          checkpointCache,
        )
      : distorted;
  const lastSummary = new Map<string, SyncSummary>();
  const checkOutside = () => (outside && snapshot(outside) !== outsideAsLeft ? [`something outside the libraries changed:\n${snapshot(outside)}\n  vs as the users left it:\n${outsideAsLeft}`] : []);
  const events: Record<string, number> = {};
  const count = (kind: string) => void (events[kind] = (events[kind] ?? 0) + 1);

  const open = async (n: SimNode) => {
    const options: LibraryOptions = {
      dir: n.dir,
      storage: n.gate.wrap(storageFor(n.name)),
      nodeName: n.name,
      // A clone is the same machine's disk: it publishes its original's name (§3.8).
      author: { user: personOf(n.name), machine: 'sim' },
      stableAfterMs: 0,
      // A minute: sleeps (up to ten) land mid-round and cross it, so rounds re-read the remote before committing.
      roundLimitMs: 60_000,
      now: () => clock + n.skew,
      fetchConcurrency: 1,
      retry: { retries: 10, baseDelayMs: 0, sleep: async () => {} },
      // Cheap scrypt: the simulation opens libraries thousands of times. A node reopened after a
      // crash, a restore or a clone uses the key it remembered at its first open, as the CLI does (so
      // reopening needs no request, which the scheduler would have to drive).
      ...(o.gc && !o.encrypted ? { newRepository: { format: startFormat } } : {}),
      // Collecting, rounds also collect on their own (steps/collect-if-due.ts), amid their other steps.
      // Small packs are merged two at a time (production waits for 16): a cost choice, not a safety
      // one, lowered so that repacking (§3.12) runs in most schedules; so are the names of collected
      // segments kept compactly (local/segment-runs.ts) from the first.
      ...(o.gc ? { collection: { after: 4, marginMs: GC_MARGIN_MS, mergeSmallPacks: 2, compactSegmentsAfter: 1 } } : {}),
      ...(o.encrypted
        ? {
            newRepository: { format: o.gc ? startFormat : 2, encrypt: true, kdf: { N: 1024, r: 1, p: 1 } },
            secret: n.repoKey && existsSync(join(n.dir, '.syncacross', 'state.db')) ? { masterKey: n.repoKey } : { passphrase: 'simulated passphrase' },
          }
        : {}),
      ...(o.checkpoints || o.gc ? { checkpoints: { every: 3, readAfter: 2 } } : {}),
    };
    n.lib = o.brokenVariant ? await openLibraryWithPolicy(options, brokenPolicy(o.brokenVariant)) : await openLibrary(options);
    n.repoKey ??= n.lib.unlockedKey()?.masterKey; // remembered per machine, as the CLI does
    n.knownVersions = new Set(n.lib.state.allVersions().map((v) => v.hash));
    n.held = heldBy(n.lib);
    n.writers.add(n.lib.writer);
  };
  const addNode = async (name: string, dir?: string) => {
    const n: SimNode = {
      name,
      dir: dir ?? folderOf(name),
      gate: new Gate(),
      // Collecting, most clocks agree with the storage's within minutes (or collection only refuses).
      skew: o.gc ? grng.pick([0, 0, 0, 45_000, -90_000, 3_600_000, -86_400_000]) : rng.pick([0, 0, 3_600_000, -3_600_000, 86_400_000, -86_400_000]),
      roundStartWrite: 0,
      writes: [],
      backups: [],
      knownVersions: new Set(),
      appliedSeen: [],
      writers: new Set(),
      sawAtDelete: new Map(),
    };
    mkdirSync(n.dir, { recursive: true });
    nodes.push(n);
    // Opening creates or joins the repository: its requests go through the gate like any other.
    const opening = open(n);
    await drive(
      n,
      opening.then(() => undefined),
      () => 'ok',
    );
    await opening;
    return n;
  };

  /** Runs `done` to completion, deciding each of n's requests with `fate`. */
  async function drive(n: SimNode, done: Promise<unknown>, fate: (op: string) => Fate): Promise<void> {
    let finished = false;
    const d = done.finally(() => (finished = true));
    for (;;) {
      await n.gate.arrival(d);
      if (finished && !n.gate.waiting) return;
      if (n.gate.waiting) n.gate.release(fate(n.gate.waiting.op));
    }
  }

  const startRound = (n: SimNode) => {
    n.roundStartWrite = n.writes.length;
    n.round = n.lib!.sync().then(
      (s) => s,
      (e: Error) => e,
    );
  };

  const startCollection = (n: SimNode) => {
    n.roundStartWrite = n.writes.length; // a collection acknowledges nothing
    n.round = n
      .lib!.collect({
        marginMs: GC_MARGIN_MS,
        // The clock probe waits for a listing that lags: the storage's time moves as much.
        sleep: async (ms) => {
          clock += ms;
        },
      })
      .then(
        (c) => {
          const packs = c.plan.packCollection;
          const packsSaid =
            packs && packs.condemn.length + packs.repack.packs.length + packs.delete.length > 0
              ? `; packs condemned ${packs.condemn.length}, repacked ${packs.repack.packs.length}, deleted ${packs.delete.length}`
              : '';
          log(
            `${n.name}: collected ${c.deleted} object(s)${c.plan.checkpoint ? ` relying on ${c.plan.checkpoint.key}` : ''}${packsSaid}${c.plan.notices.length ? `; ${c.plan.notices.join('; ')}` : ''}`,
          );
          count(c.deleted > 0 ? 'gc collected' : 'gc found nothing');
          if (packs?.condemn.length) count('gc condemned packs');
          if (packs?.repack.packs.length) count('gc repacked packs');
          if (packs?.delete.length) count('gc deleted packs');
          if (c.plan.segments.length > 0) count('gc deleted segments');
          if (c.plan.notices.some((m) => m.includes('is not relied on'))) count('gc passed over an unfaithful checkpoint');
          if (c.wrote?.pruned) count('checkpoint pruned');
          if (c.plan.checkpoint?.pruned && c.deleted > 0) count('gc relied on a pruning checkpoint');
          return new CollectionDone();
        },
        (e: Error) => e,
      );
  };

  const startUpgrade = (n: SimNode) => {
    n.roundStartWrite = n.writes.length; // an upgrade acknowledges nothing
    n.round = n.lib!.upgrade().then(
      (u) => {
        log(`${n.name}: ${u.upgraded ? `upgraded from format ${u.from} to ${u.to}` : `found format ${u.to} already`}`);
        count(u.upgraded ? 'upgrade' : 'upgrade found it done');
        return new CollectionDone();
      },
      (e: Error) => e,
    );
  };

  const startRetention = (n: SimNode) => {
    n.roundStartWrite = n.writes.length; // setting a policy acknowledges nothing
    const policy = rrng.pick(SIM_POLICIES);
    n.round = n.lib!.retention(policy).then(
      (r) => {
        log(`${n.name}: retention set: ${r.described}`);
        policySet = true;
        count('retention set');
        return new CollectionDone();
      },
      (e: Error) => e,
    );
  };

  const checkDrops = (x: SimNode, restored: boolean) => {
    const held = heldBy(x.lib!);
    for (const [h, v] of held.versions) everSeen.set(h, v);
    noteApplied(x.lib!, x.appliedSeen);
    // Versions the rescue of condemned content dropped unpublished, said to the user (§3.12), are not forgotten ones.
    const rescued = x.pendingHeld ? rescueDrops(x.pendingHeld, held.versions, (k) => sim.raw().has(k)) : new Set<string>();
    for (const h of rescued) droppedUnpublished.add(h);
    const before = x.held && rescued.size > 0 ? { ...x.held, versions: new Map([...x.held.versions].filter(([h]) => !rescued.has(h))) } : x.held;
    const wrong = before && !restored ? wronglyDropped(before, held, x.appliedSeen, everSeen) : [];
    if (wrong.length) violations.push(`${x.name} forgot ${wrong.length} version(s) it knew, not pruned rightly: ${wrong.slice(0, 3).join('; ')}`);
    if (x.held && [...x.held.versions.keys()].some((h) => !held.versions.has(h))) count('versions pruned here');
    x.knownVersions = new Set(held.versions.keys());
    x.held = held;
    x.pendingHeld = o.gc ? pendingHeld(x.lib!, (p) => announcements.announcedAt(p) !== undefined) : undefined;
  };

  const finishRound = async (n: SimNode, result: SyncSummary | Error) => {
    n.round = undefined;
    lostUnder.delete(n.name);
    rolledUnder.delete(n.name);
    // Every version a round leaves known (a node may be in rounds at every step's end, and a version
    // it made in one may be pruned in the next): what the checks take for ever held.
    if (n.lib && !(result instanceof CrashError)) {
      for (const v of n.lib.state.allVersions()) everSeen.set(v.hash, v);
      noteApplied(n.lib, n.appliedSeen);
    }
    if (result instanceof CollectionDone) return;
    if (!(result instanceof CrashError) && result instanceof Error && /^(CannotCollect|ClockSkew|CannotUpgrade)$/.test((result as { code?: string }).code ?? '')) {
      log(`${n.name}: gc refused: ${result.message}`);
      count(`gc refused (${(result as { code?: string }).code})`);
      return;
    }
    if (result instanceof CrashError) {
      count('crash');
      log(`${n.name}: crashed (${result.message}); restarting`);
      await n.lib!.close();
      await open(n).catch(async (e) => {
        // Opening may itself need the remote (it does not today); keep the node closed until next step.
        log(`${n.name}: reopen failed: ${e}`);
      });
      return;
    }
    if (result instanceof Error) {
      log(`${n.name}: round failed: ${result.message}`);
      // The remote unreachable: what changed here went to the outbox (engine/outbox/).
      const staged = (result as Error & { staged?: { versions: number } }).staged;
      if (staged && staged.versions > 0) count('staged offline');
      return;
    }
    for (const e of result.errors) log(`${n.name}: round reported: ${e}`);
    if (result.errors.some((e) => SENT_LATE_LOST.test(e))) excuseSentLate(n);
    for (const m of result.notices) log(`${n.name}: round noted: ${m}`); // a restored node continuing, say
    for (const m of result.notices) if (/^(wrote checkpoint|caught up from checkpoint|ignored (checkpoint|part))/.test(m)) count(m.split(' ').slice(0, 2).join(' '));
    if (result.notices.some((m) => m.includes('pruned by the retention policy'))) count('checkpoint pruned');
    for (const m of result.notices) if (/^(collected \d+ segment|did not collect)/.test(m)) count(m.startsWith('collected') ? 'sync collected' : 'sync did not collect');
    for (const e of result.retryable) log(`${n.name}: round will retry: ${e}`);
    n.writers.add(result.writer);
    if (result.retiredWriter) {
      const keys = new Set([...sim.raw().keys(), ...seenSegments].filter((k) => k.startsWith(`log/${result.retiredWriter}/`)));
      retired.set(result.retiredWriter, keys);
      retiredBy.set(result.retiredWriter, { node: n.name, step: currentStep });
      log(`${n.name}: retired ${result.retiredWriter}`);
    }
    // Writes that were the last word on their path when the round started, and stayed so, are now acknowledged.
    const last = new Map<string, number>();
    n.writes.forEach((w, i) => last.set(w.path, i));
    for (let i = 0; i < n.roundStartWrite; i++) {
      const w = n.writes[i]!;
      if (last.get(w.path) !== i || w.lost || w.acknowledged) continue;
      w.acknowledged = true;
      w.ackStep = currentStep;
      log(`${n.name}: ${w.path} = ${JSON.stringify(w.content)} acknowledged`);
    }
  };

  /** Lets a waiting node's request through (or fails or crashes it), then runs it to its next request. */
  const step = async (n: SimNode, fate: Fate) => {
    n.gate.release(fate);
    const result = await Promise.race([n.gate.arrival(n.round!).then(() => undefined), n.round!]);
    if (!n.gate.waiting && n.round) {
      const r = await n.round;
      await finishRound(n, r);
    } else void result;
  };

  /** What the user could have seen when removing `path`: every version the node knew at that moment. */
  const noteRemoval = (n: SimNode, path: string) => {
    let known: string[];
    try {
      known = n.lib!.state.allVersions().map((v) => v.hash);
    } catch {
      return; // closed after a failed reopen: nothing this node knew can be named
    }
    const saw = n.sawAtDelete.get(path) ?? new Set<string>();
    for (const h of known) saw.add(h);
    n.sawAtDelete.set(path, saw);
  };

  /** Returns false when the user could not make this edit here (a folder on the way is a link or a file). */
  const localWrite = async (n: SimNode, chosen: string, content: string | null): Promise<boolean> => {
    // That disk's user edits the file under the spelling the disk shows (`A.txt` is `a.txt` there).
    const path = foldsCase(n.name) ? spelledOnDisk(n.dir, chosen) : chosen;
    if (path !== chosen) log(`${n.name}: ${chosen} is ${path} on its disk`);
    if (!canWriteFile(n.dir, path)) {
      log(`${n.name}: cannot ${content === null ? 'delete' : 'write'} ${path} here (a link, a file or a folder is in the way)`);
      return false;
    }
    if (content === null) noteRemoval(n, path);
    const abs = join(n.dir, path);
    // After a rollback or a restore this file may have held the last copy of some content.
    // (Asked by an open: a stat may answer from the kernel's cache of a name gone, case-insensitive-disk.ts.)
    const replaced = (rollbacks > 0 || restores > 0) && fileIsThere(abs);
    if (content === null) rmSync(abs, { force: true });
    else {
      mkdirSync(join(abs, '..'), { recursive: true });
      if (saveFile(abs, content)) log(`${n.name}: ${path} could not be opened, though a stat finds it (a name the kernel's cache still holds): saved through a temporary file`);
    }
    n.writes.push({ path, content, acknowledged: false, lost: false });
    if (replaced) excuseUnheld();
    return true;
  };

  /**
   * After a rollback or a restore: an acknowledged edit whose version, or whose content, neither
   * the storage nor any node holds any more was lost on every side at once (say, the remote rolled
   * back past it and its author restored from a copy older than it, before re-uploading it).
   * Nothing can bring it back, so it is not expected, and its content is not required anywhere;
   * anything still held somewhere must survive (re-uploaded from a journal or a disk, or
   * republished by a node that knows it).
   */
  const unrecoverable = new Set<string>(); // chunks lost on every side
  /** Content the harness counts as lost on every side (a revert to it would hold it again, unknown to the end checks). */
  const lostEverywhere = (content: string) => contentChunks(content).some((h) => unrecoverable.has(h));
  /** Chunks some live pack or some disk holds, of `known` versions' chunks also those in stored packs no segment names yet (chunksInStoredPacks). */
  const heldContent = (raw: Map<string, Uint8Array>, repoIds: string[], known: { chunks: string[] }[]) => {
    const content = liveChunks(raw, repoIds, decoded, codec());
    for (const x of nodes) for (const c of Object.values(diskFiles(x.dir))) for (const h of contentChunks(c)) content.add(h);
    const unnamed = new Set(known.flatMap((v) => v.chunks).filter((h) => !content.has(h)));
    const locate = (h: string) => nodes.flatMap((x) => (x.lib ? chunkLocations(x.lib.state, h) : []));
    for (const h of chunksInStoredPacks(raw, unnamed, locate, codec())) content.add(h);
    return content;
  };
  /** Whether some node's outbox holds a pack with the chunk (staged offline, not uploaded yet). */
  const inOutbox = (h: string) => nodes.some((x) => x.lib && chunkLocations(x.lib.state, h).some(([, pack]) => existsSync(join(x.dir, '.syncacross', 'outbox', 'packs', pack.slice('packs/'.length)))));
  const excuseUnheld = () => {
    const raw = sim.raw();
    const repoIds = repositoryIds(raw);
    const known = [...remoteVersions(raw, repoIds, decoded, codec()), ...nodes.flatMap((x) => x.lib?.state.allVersions() ?? [])];
    const held = new Set(known.filter((v) => !v.deleted).map((v) => `${v.path}\0${v.chunks.join()}`));
    const content = heldContent(raw, repoIds, known);
    for (const x of nodes) {
      for (const w of x.writes) {
        if (!w.acknowledged || w.lost || w.content === null) continue;
        const chunks = contentChunks(w.content);
        if (!held.has(`${w.path}\0${chunks.join()}`)) {
          w.lost = true;
          log(`${x.name}: ${w.path} = ${JSON.stringify(w.content)} is held nowhere any more (lost on every side)`);
          count('edit lost on every side');
        } else if (!w.contentLost && !chunks.every((h) => content.has(h))) {
          // Still known, so still required everywhere; but no disk can show it any more.
          w.contentLost = true;
          for (const h of chunks) if (!content.has(h)) unrecoverable.add(h);
          log(`${x.name}: ${w.path} = ${JSON.stringify(w.content)}: its content is held nowhere any more`);
          count('content lost on every side');
        }
      }
    }
    // Versions too, acknowledged or not: an edit a round published that its user then replaced
    // before a round acknowledged it (seeds 300665, 308114) is a head nobody can write once the
    // storage lost its pack. Content held nowhere (no live pack, no disk, no outbox) cannot come
    // back; anything still held somewhere must still be reachable at the end.
    for (const v of known) {
      if (v.deleted) continue;
      for (const h of v.chunks) {
        if (content.has(h) || unrecoverable.has(h) || inOutbox(h)) continue;
        unrecoverable.add(h);
        log(`${v.path}: chunk ${h.slice(0, 8)} of a version is held nowhere any more (lost on every side)`);
        count('version content lost on every side');
      }
    }
  };

  /**
   * §3.12, accepted: a version made here before this machine was away (journaled, its round cut
   * off), sent late after its content's pack was collected, when the file no longer holds it, is
   * on no side any more, and its writer says so (rescue-condemned.ts). Only then, and only that
   * writer's versions: their chunks held nowhere (no live pack, no disk, no outbox) are excused
   * (seed 1121607). A loss the engine does not report stays a violation.
   */
  const excuseSentLate = (n: SimNode) => {
    const raw = sim.raw();
    const repoIds = repositoryIds(raw);
    const versions = remoteVersions(raw, repoIds, decoded, codec()).filter((v) => !v.deleted && n.writers.has(v.writer));
    const content = heldContent(raw, repoIds, versions);
    for (const v of versions) {
      for (const h of v.chunks) {
        if (content.has(h) || unrecoverable.has(h) || inOutbox(h)) continue;
        unrecoverable.add(h);
        log(`${v.path}: chunk ${h.slice(0, 8)} of a version ${n.name} sent late is held nowhere (its pack was collected while it was away; reported)`);
        count('late version content collected');
      }
    }
  };

  /** Reads every condemnation now on the storage into the record the pack checks judge by (before anything may take it away). */
  const noteAnnouncements = async () => {
    const raw = sim.raw();
    announcements.note({ raw, stamps: await sim.stamps(), repoIds: repositoryIds(raw), codec: codec(), segments: decoded, checkpoints: checkpointCache });
  };

  /** What the file holds now; undefined when it is not a readable file (a folder, a link or a file in the way). */
  const fileContent = (dir: string, path: string): string | undefined => {
    try {
      return canWriteFile(dir, path) ? readIfThere(join(dir, path)) : undefined;
    } catch {
      return undefined;
    }
  };

  /** Whether, as `n` knows them, every location of this content is in a pack some announcement condemned. */
  const onlyInCondemned = (n: SimNode, content: string): boolean => {
    try {
      const locations = contentChunks(content).flatMap((h) => chunkLocations(n.lib!.state, h));
      return locations.length > 0 && locations.every(([, pack]) => announcements.announcedAt(pack) !== undefined);
    } catch {
      return false; // closed after a failed reopen
    }
  };

  /** One round of `n` run to its end (offline, it stages in the outbox). */
  const roundOf = async (n: SimNode) => {
    startRound(n);
    await drive(n, n.round!, () => 'ok');
    await finishRound(n, await n.round!);
    checkDrops(n, false);
  };

  /** One collection of `n` run to its end. */
  const collectionOf = async (n: SimNode, why: string) => {
    log(`${n.name}: gc starts (${why})`);
    startCollection(n);
    await drive(n, n.round!, () => 'ok');
    await finishRound(n, await n.round!);
  };

  /**
   * Pack collection (§3.12) at quiescence, where packs were condemned: a user reverts a file to a
   * content only condemned packs hold, on a machine that has not synced since (mostly offline, so
   * the version waits in its outbox, and now and then is edited again there); the collector
   * collects before the margin is out (no pack may go yet) and after it (the packs go); then the
   * machine comes back. Its version must never be published without its content.
   */
  const revertAroundCondemnation = async (collector: SimNode, away: string | undefined) => {
    await noteAnnouncements();
    const choices = nodes
      .filter((x) => x !== collector && x.name !== away && x.lib && !x.round)
      .flatMap((x) =>
        PATHS.flatMap((path) => {
          const current = fileContent(x.dir, path);
          const contents = new Set(nodes.flatMap((y) => y.writes.filter((w) => w.path === path && w.content !== null && w.content !== current).map((w) => w.content!)));
          return [...contents].filter((c) => !lostEverywhere(c) && onlyInCondemned(x, c)).map((content) => ({ x, path, content }));
        }),
      );
    if (choices.length === 0) return;
    const { x, path, content } = prng.pick(choices);
    const offline = prng.chance(0.7);
    x.gate.offline = offline;
    log(`${x.name}: reverts ${path} to ${JSON.stringify(content)}, which only condemned packs hold${offline ? ' (offline)' : ''}`);
    count(offline ? 'revert to condemned content offline (quiescence)' : 'revert to condemned content (quiescence)');
    if (!(await localWrite(x, path, content))) return void (x.gate.offline = false);
    await roundOf(x);
    if (offline && prng.chance(0.4)) {
      log(`${x.name}: write ${path} again (offline)`);
      await localWrite(x, path, prosed(`${x.name}#${++counter} text`));
      await roundOf(x);
    }
    clock += prng.int(GC_MARGIN_MS);
    await collectionOf(collector, 'quiescence, within the margin of the condemnation');
    clock += 2 * GC_MARGIN_MS;
    await collectionOf(collector, 'quiescence, a margin after the condemnation');
    x.gate.offline = false;
    log(`${x.name}: back online`);
    await roundOf(x);
    // Right away (a later round could upload the content again from the file): nothing published points into a pack gone.
    const raw = sim.raw();
    if (rollbacks === 0) violations.push(...checkChunksReachable(raw, repositoryIds(raw), new Set(), false, decoded, unrecoverable, codec()).map((v) => `after ${x.name} came back: ${v}`));
  };

  /**
   * A node restored from a backup older than its own retirement of a writer id no longer knows
   * that retirement. Where listings are lossy it may miss the segment that would tell it (that
   * writer's segment it did not write, §7 step 2) and write under that id again: a fork, which
   * such modes allow (invariant 6), not a write under an id it knew it had retired.
   */
  const forgetRetirements = (n: SimNode, backupStep: number) => {
    if (FORK_FREE.has(o.mode)) return;
    for (const [writer, by] of retiredBy) {
      if (by.node !== n.name || by.step <= backupStep) continue;
      retired.delete(writer);
      retiredBy.delete(writer);
      log(`${n.name}: no longer knows it retired ${writer} (restored from a backup older than that)`);
    }
  };

  try {
    for (let i = 0; i < o.nodes; i++) {
      await addNode(`n${i}`);
      // An encrypted repository cannot alias another made at the same moment (docs/PROTOCOL.md
      // §3.1: that race is detected and stopped, tested in encryption.test.ts, not converged):
      // the other machines join it once listings and reads have settled, as people do.
      // A format-3 marker is read to join too: the same settling.
      if ((o.encrypted || o.gc) && i === 0) clock += 120_000;
    }
    const steps = o.steps ?? 40;
    for (let s = 0; s < steps; s++) {
      currentStep = s;
      clock += rng.int(2_000);
      const waiting = nodes.filter((x) => x.round && x.gate.waiting);
      const releasing = waiting.length > 0 && rng.chance(0.6);
      const n = releasing ? rng.pick(waiting) : rng.pick(nodes);
      const idle = !n.round && n.lib;
      const r = releasing ? 0 : rng.next();
      const t = o.focus === 'restore' ? RESTORE_FOCUS : o.focus === 'rollback' ? ROLLBACK_FOCUS : DEFAULT_WEIGHTS;
      if (o.offline && orng.chance(0.04)) {
        // Cut off, or back: its rounds in flight keep going and fail at their next request.
        n.gate.offline = !n.gate.offline;
        log(`${n.name}: ${n.gate.offline ? 'goes offline' : 'back online'}`);
        count(n.gate.offline ? 'offline' : 'back online');
      } else if (n.round && n.gate.waiting && r < t.release) {
        // Let a burst of this node's requests through, each with its own fate.
        for (let burst = 1 + rng.int(6); burst > 0 && n.round !== undefined && n.gate.waiting; burst--) {
          const crash = rng.chance(0.03);
          const fate: Fate = crash ? 'crash' : rng.chance(sim.faults.failBefore) ? 'fail-before' : rng.chance(sim.faults.failAfter) ? 'fail-after' : 'ok';
          if (fate !== 'ok') log(`${n.name}: ${n.gate.waiting.op} ${n.gate.waiting.key} → ${fate}`);
          if (fate === 'fail-before' || fate === 'fail-after') count(fate);
          await step(n, fate);
        }
      } else if (upgrading && idle && urng.chance(0.03)) {
        log(`${n.name}: upgrade starts`);
        startUpgrade(n);
        await n.gate.arrival(n.round!);
        if (!n.gate.waiting) await finishRound(n, await n.round!);
      } else if (retaining && idle && n.lib!.format.format >= 4 && rrng.chance(0.03)) {
        log(`${n.name}: retention starts`);
        startRetention(n);
        await n.gate.arrival(n.round!);
        if (!n.gate.waiting) await finishRound(n, await n.round!);
      } else if (o.gc && idle && grng.chance(0.06)) {
        log(`${n.name}: gc starts`);
        count('gc');
        startCollection(n);
        await n.gate.arrival(n.round!);
        if (!n.gate.waiting) await finishRound(n, await n.round!);
      } else if (outside && idle && !foldsCase(n.name) && lrng.chance(0.05)) {
        const done = linkEvent(lrng, n.dir, outside, `${n.name}-${s}`);
        if (done) {
          log(`${n.name}: ${done.did}`);
          // What the user moved out with the folder and this node had not uploaded yet left the library with it.
          const hidden = done.hidden;
          if (hidden)
            n.writes.push(
              ...[...new Set([...PATHS, ...CLASH_PATHS, ...n.writes.map((w) => w.path)])]
                .filter((p) => behindLink([hidden], p))
                .map((path) => ({ path, content: null, acknowledged: false, lost: true })),
            );
          // After a rollback the moved files may have been the last copy of some content the library knows.
          if (hidden && rollbacks > 0) excuseUnheld();
          count('symbolic link');
          outsideAsLeft = snapshot(outside);
        }
      } else if (o.caseInsensitive && idle && crng.chance(0.06)) {
        const done = caseRename(crng, n.dir, foldsCase(n.name));
        if (done) {
          log(`${n.name}: rename ${done.from} → ${done.to} (only the case changes)`);
          count('case-only rename');
          noteRemoval(n, done.from);
          n.writes.push({ path: done.from, content: null, acknowledged: false, lost: false }, { path: done.to, content: done.content, acknowledged: false, lost: false });
        }
      } else if (r < t.write) {
        let path = rng.pick(PATHS);
        if (outside && lrng.chance(0.15)) path = lrng.pick(CLASH_PATHS);
        if (o.caseInsensitive && crng.chance(0.3)) path = crng.pick(CASE_PATHS);
        let content = rng.chance(0.15) ? null : prosed(`${n.name}#${++counter}${rng.chance(0.1) ? '' : ' text'}`);
        // Now and then the user reverts the file to an earlier content instead: a writer may then
        // deduplicate against a chunk only a condemned pack holds (§3.12).
        const earlier = o.gc && content !== null && prng.chance(0.3) ? earlierContent(prng, nodes, path, fileContent(n.dir, path), lostEverywhere) : undefined;
        if (earlier !== undefined) {
          content = earlier;
          log(`${n.name}: reverts ${path} to ${JSON.stringify(earlier)}`);
          count(onlyInCondemned(n, earlier) ? 'revert to content only condemned packs hold' : 'revert');
        }
        log(`${n.name}: ${content === null ? 'delete' : 'write'} ${path}${n.round ? ' (during a sync)' : ''}`);
        count(n.round ? 'edit during a sync' : content === null ? 'delete' : 'edit');
        if ((await localWrite(n, path, content)) && CLASH_PATHS.includes(path)) count('file where another node may have a folder');
        if (rng.chance(0.2)) {
          const other = rng.pick(nodes.filter((x) => x !== n)) ?? n;
          log(`${other.name}: concurrent write ${path}`);
          count('concurrent edit');
          await localWrite(other, path, prosed(`${other.name}#${++counter} concurrent`));
        }
      } else if (r < t.rename && idle) {
        const picked = rng.pick(PATHS);
        const to = rng.pick(PATHS.filter((p) => p !== picked));
        const from = foldsCase(n.name) ? spelledOnDisk(n.dir, picked) : picked;
        // Never through a link (the harness is a user of the library, not of what a link points to).
        // A file a stat finds but an open does not is not there (seed 7364: case-insensitive-disk.ts, readIfThere).
        const content = canWriteFile(n.dir, from) ? readIfThere(join(n.dir, from)) : undefined;
        if (content === undefined && canWriteFile(n.dir, from) && existsSync(join(n.dir, from)))
          log(`${n.name}: ${from} is not there to rename, though a stat finds it (a name the kernel's cache still holds)`);
        if (content !== undefined && canWriteFile(n.dir, from) && canWriteFile(n.dir, to) && !fileIsThere(join(n.dir, to))) {
          log(`${n.name}: rename ${from} → ${to}`);
          count('rename');
          mkdirSync(join(n.dir, to, '..'), { recursive: true });
          noteRemoval(n, from);
          renameSync(join(n.dir, from), join(n.dir, to));
          const landed = foldsCase(n.name) ? spelledOnDisk(n.dir, to) : to; // into `D/` where the disk has it
          n.writes.push({ path: from, content: null, acknowledged: false, lost: false }, { path: landed, content, acknowledged: false, lost: false });
        }
      } else if (r < t.sync && idle) {
        log(`${n.name}: sync starts`);
        count('sync');
        startRound(n);
        await n.gate.arrival(n.round!);
        if (!n.gate.waiting) await finishRound(n, await n.round!);
      } else if (r < t.backup && idle) {
        // On the same kind of disk (exFAT takes names Linux cannot).
        const copy = join(foldsCase(n.name) ? ciBase! : base, `backup-${n.name}-${s}`);
        cpSync(n.dir, copy, { recursive: true, verbatimSymlinks: true });
        n.backups.push({ dir: copy, writes: n.writes.length, step: s });
        log(`${n.name}: backed up`);
        count('backup');
      } else if (r < t.restore && idle && n.backups.length > 0) {
        const b = rng.pick(n.backups);
        log(`${n.name}: restored from the backup taken after ${b.writes} writes`);
        count('restore');
        // Unpublished: pending, or in a segment journaled but not on the storage (seed 17745: a
        // round crashed before its put, then the restore took the journal).
        const onStorage = sim.raw();
        const unsent = new Set(
          n
            .lib!.state.unuploaded()
            .map((j) => j.key)
            .filter((k) => !onStorage.has(k)),
        );
        const inUnsent = [...n.lib!.state.versionSegments()].filter(([, key]) => unsent.has(key)).map(([h]) => h);
        const pendingBefore = [...n.lib!.state.pendingVersions().map((v) => v.hash), ...inUnsent];
        await n.lib!.close();
        rmSync(n.dir, { recursive: true, force: true });
        cpSync(b.dir, n.dir, { recursive: true, verbatimSymlinks: true });
        // The disk that held them is gone: unacknowledged edits made since the backup.
        n.writes.forEach((w, i) => {
          if (i >= b.writes && !w.acknowledged) w.lost = true;
        });
        n.writes.push(...[...new Set([...PATHS, ...CLASH_PATHS, ...n.writes.map((w) => w.path)])].map((path) => ({ path, content: null, acknowledged: false, lost: true }))); // local history restarts
        await open(n);
        // Versions never published that the restored state does not hold went with the disk, like
        // the edits they recorded: not versions pruned or forgotten (seed 26060: the same content
        // published by another node, and pruned, was judged by this lost version too).
        const restored = new Set(n.lib!.state.allVersions().map((v) => v.hash));
        for (const h of pendingBefore) if (!restored.has(h)) droppedUnpublished.add(h);
        restores++;
        excuseUnheld();
        forgetRetirements(n, b.step);
      } else if (r < t.clone && idle && nodes.length < o.nodes + 1) {
        const name = `${n.name}c`;
        log(`${n.name}: cloned to ${name}`);
        count('clone');
        cloned.add(n.lib!.writer);
        await n.lib!.close();
        // A clone of the case-insensitive node's disk is made on the same kind of disk.
        if (foldsCase(n.name)) folding.add(name);
        cpSync(n.dir, folderOf(name), { recursive: true, verbatimSymlinks: true });
        await open(n);
        const c = await addNode(name, folderOf(name));
        cloned.add(c.lib!.writer);
        for (const w of n.writers) c.writers.add(w); // the clone carries its original's history
        for (const [p, saw] of n.sawAtDelete) c.sawAtDelete.set(p, new Set(saw));
      } else if (r < t.saveStorage) {
        savedStorage.push({ saved: sim.save(), step: s });
        log(`storage: saved`);
      } else if (r < t.rollback && savedStorage.length > 0) {
        // The whole storage goes back to an earlier copy, under every node, even mid-round.
        const back = rng.pick(savedStorage);
        const before = o.gc ? { checkpoints: readCheckpoints(sim.raw(), repositoryIds(sim.raw()), codec(), checkpointCache), stamps: await sim.stamps() } : undefined;
        if (o.gc) await noteAnnouncements(); // what the rollback takes was still announced
        sim.restore(back.saved);
        for (const x of nodes) if (x.round) rolledUnder.add(x.name);
        if (before) {
          const after = sim.raw();
          for (const x of nodes.filter((x) => x.round)) {
            const lost = lostUnder.get(x.name) ?? new Map<string, { checkpoint: ReadCheckpoint; stampedAt: number }>();
            for (const [m, checkpoint] of before.checkpoints) if (!after.has(m)) lost.set(m, { checkpoint, stampedAt: before.stamps.get(m)! });
            lostUnder.set(x.name, lost);
          }
        }
        rollbacks++;
        excuseUnheld();
        log(`storage: rolled back to its copy of step ${back.step}`);
        count('storage rollback');
      } else if (n.lib) {
        // Sleep, idle or mid-round (a laptop closed during a sync): up to ten minutes, past the
        // round limit, so the round re-reads the remote before it commits.
        clock += o.mode === 'delayed-listing' || o.mode === 'stale-reads' || o.mode === 'torn-reads' ? rng.int(8_000) : rng.int(600_000);
        count(n.round ? 'sleep during a sync' : 'sleep');
      }
      // Per step: no node forgets a version it knew (nothing acknowledged is ever un-known), but
      // what retention pruned rightly (retention-checks.ts).
      for (const x of nodes) if (x.lib && !x.round) checkDrops(x, trace[trace.length - 1]?.includes('restored') === true);
      // Per step, on the storage as it is: no fork where listings are complete, nothing new under a
      // retired writer id, and (until a rollback takes packs away) every chunk reachable.
      const rawNow = sim.raw();
      for (const k of rawNow.keys()) if (k.startsWith('log/')) seenSegments.add(k);
      violations.push(...checkWriters(rawNow, retired, FORK_FREE.has(o.mode), cloned), ...checkOutside());
      if (o.gc) await noteAnnouncements();
      if (rollbacks === 0) {
        violations.push(...checkChunksReachable(rawNow, repositoryIds(rawNow), new Set(), false, decoded, new Set(), codec()).map((v) => `after step ${s}: ${v}`));
      }
      if (violations.length) break;
    }

    // Quiescence: calm storage, let lagging listings settle, let every round finish, sync all.
    for (const n of nodes) n.gate.offline = false;
    sim.calm();
    calm = true;
    clock += 3_600_000;
    for (const n of nodes) if (n.round) await drive(n, n.round, () => 'ok').then(async () => finishRound(n, await n.round!));
    // Sync everyone until a full pass changes nothing anywhere (at most 12 passes). A pack lost to a
    // rollback that only a reader's failed reads reveal takes about ten: the reader condemns it
    // after 5 reads over 30 minutes (retry-ledger.ts), announces it, its holder uploads it again,
    // and the reader reads it (seed 1204: a new machine joining after a collection).
    let quiet = false;
    // With retention, one node stays away until history was pruned and collected: it comes back
    // holding versions pruned since as its heads (a laptop back after a while). Not where the
    // repository is still to be upgraded: the upgrade waits for every writer to read format 4.
    const away = retaining && !upgrading ? rrng.pick(nodes).name : undefined;
    if (away) log(`${away}: away until history is pruned`);
    const editor = away ? nodes.find((x) => x.name !== away) : undefined;
    const heldAway = away
      ? [
          ...nodes
            .find((x) => x.name === away)!
            .lib!.tree()
            .keys(),
        ].filter((p) => PATHS.includes(p))
      : [];
    if (editor && heldAway.length > 0) {
      // Meanwhile another node edits a file it holds twice, syncing each time: pruning drops the
      // middle version, so what the away node holds is tied to the current version by a superseded
      // name alone (merge-ignores-superseded brings it back as a conflict copy).
      const path = rrng.pick(heldAway);
      for (let i = 0; i < 2; i++) {
        log(`${editor.name}: write ${path} (while ${away} is away)`);
        await localWrite(editor, path, prosed(`${editor.name}#${++counter} text`));
        startRound(editor);
        await drive(editor, editor.round!, () => 'ok');
        await finishRound(editor, await editor.round!);
        clock += 1_000;
      }
    }
    for (let pass = 0; pass < 12 && !quiet; pass++) {
      quiet = pass > 0;
      if (o.gc && pass === 1) {
        // Everything is checkpointed and older than the margin by now: collect, then sync on.
        // With retention, one whose clock agrees with the storage's (or its pruning is refused, rightly: ClockSkew).
        const candidates = nodes.filter((x) => x.name !== away && (!retaining || Math.abs(x.skew) < 300_000));
        const n = grng.pick(candidates.length > 0 ? candidates : nodes.filter((x) => x.name !== away));
        if (upgrading && n.lib!.format.format < NEWEST_FORMAT) {
          // Not upgraded yet (or this node has not followed yet: then it finds it done).
          log(`${n.name}: upgrade starts (quiescence)`);
          startUpgrade(n);
          await drive(n, n.round!, () => 'ok');
          await finishRound(n, await n.round!);
          clock += 3_600_000; // collection waits a margin after an upgrade
        }
        if (retaining && !policySet && n.lib!.format.format >= 4) {
          log(`${n.name}: retention starts (quiescence)`);
          startRetention(n);
          await drive(n, n.round!, () => 'ok');
          await finishRound(n, await n.round!);
        }
        if (retaining) {
          // A collection writes the checkpoint that prunes; a margin later one relies on it, so the
          // new machine joins, and the others come back, from pruned history.
          log(`${n.name}: gc starts (quiescence, writes a pruning checkpoint)`);
          startCollection(n);
          await drive(n, n.round!, () => 'ok');
          await finishRound(n, await n.round!);
          clock += 2 * GC_MARGIN_MS;
        }
        log(`${n.name}: gc starts (quiescence)`);
        startCollection(n);
        await drive(n, n.round!, () => 'ok');
        await finishRound(n, await n.round!);
        // A new machine joins after the collection: it must end up with everything the others hold.
        if (o.gc) await revertAroundCondemnation(n, away);
        log('fresh: a new machine joins');
        await addNode('fresh');
        quiet = false;
      }
      for (const n of nodes) {
        if (pass === 0 && n.name === away) continue;
        startRound(n);
        await drive(n, n.round!, () => 'ok');
        const result = await n.round!;
        await finishRound(n, result);
        checkDrops(n, false);
        if (!(result instanceof Error)) lastSummary.set(n.name, result);
        // A file the node could not write yet (content not there yet), or anything left to retry, is not quiet either.
        if (result instanceof Error || result.retryable.length > 0 || result.errors.some((e) => e.startsWith('could not restore'))) quiet = false;
        else if (result.uploaded.segments + result.downloaded.files + result.remote.deleted + result.local.added + result.local.changed + result.local.deleted > 0) quiet = false;
      }
      clock += 3_600_000;
    }
    // Content counted lost on every side may have come back since: a node restored from a backup
    // that held it, and its round re-uploaded it (seed 1225594: a file overwritten, the storage
    // rolled back past its pack, then the backup brought the file back and a rename published it
    // under another name). What a live pack holds at the end, every node can write: it is required
    // on every disk like any other content, not excused.
    const liveAtEnd = liveChunks(sim.raw(), repositoryIds(sim.raw()), decoded, codec());
    for (const h of [...unrecoverable]) if (liveAtEnd.has(h)) unrecoverable.delete(h);
    const libs = new Map(nodes.map((n) => [n.name, n.lib!]));
    const disks = new Map<string, Record<string, string>>();
    for (const n of nodes) disks.set(n.name, diskFiles(n.dir));
    // Behind a node's link nothing of the library can be written there (the paths are reported,
    // never written through the link): those paths are excused on that node's disk, and left out
    // of the comparison of folders; they must still be in every tree, and on the other disks.
    const links = new Map(nodes.map((n) => [n.name, linksIn(n.dir)]));
    const allLinks = [...links.values()].flat();
    if (allLinks.length) log(`links at the end: ${[...links].map(([name, ls]) => `${name}: ${ls.join(', ') || 'none'}`).join('; ')}`);
    const expected: Expectation[] = nodes.flatMap((n) =>
      n.writes.filter((w) => w.acknowledged && !w.lost && w.content !== null).map((w) => ({ node: n.name, path: w.path, content: w.content!, contentLost: w.contentLost })),
    );
    const raw = sim.raw();
    const repoIds = repositoryIds(raw);
    // The Mac's copies are its own: after a rollback took their pack, nobody here can give it back (no disk holds them).
    const heads = new Set(nodes.flatMap((n) => [...n.lib!.tree().values()].filter((e) => !mac?.published.has(e.path)).map((e) => e.version.hash)));
    if (mac?.published.size) events['name too long for Linux'] = mac.published.size;
    violations.push(
      ...checkDeletesSawWhatTheyRemoved(
        libs,
        nodes.map((n) => ({ writers: n.writers, sawAtDelete: n.sawAtDelete })),
        everSeen,
      ),
    );
    // A path whose head's content was lost on every side cannot be written anywhere: each node
    // keeps what it had there (and reports it), so folders are compared without such paths.
    const finalTree = nodes[0]!.lib!.tree();
    const unwritable = (p: string) => finalTree.get(p)?.version.chunks.some((h) => unrecoverable.has(h)) ?? false;
    if (unrecoverable.size > 0) for (const [name, d] of disks) disks.set(name, Object.fromEntries(Object.entries(d).filter(([p]) => !unwritable(p))));
    const comparable = new Map([...disks].map(([name, d]) => [name, Object.fromEntries(Object.entries(d).filter(([p]) => !linkInTheWay(allLinks, p)))]));
    // A case-insensitive disk holds one of two paths that differ only in case (checked, with what it
    // reports, by checkCaseClashes): the folders are compared without such paths.
    const clashing = folding.size > 0 ? caseClashing(nodes[0]!.lib!.tree().keys()) : new Set<string>();
    // exFAT takes 255 UTF-16 units a name, as a Mac does: the Mac writer's names fit there, and only there.
    // On a case-insensitive disk such a path may be held under the spelling the disk gives a folder on the way (heldAt, below).
    const clashingKeys = new Set([...clashing].map(caseKey));
    const clashes = (name: string, p: string) => clashing.has(p) || (foldsCase(name) && clashingKeys.has(caseKey(p)));
    const sameCase = new Map([...comparable].map(([name, d]) => [name, Object.fromEntries(Object.entries(d).filter(([p]) => !clashes(name, p) && !(folding.size > 0 && tooLongHere(p))))]));
    const dirOf = new Map(nodes.map((n) => [n.name, n.dir]));
    const twinOnDisk = (node: string, path: string) => spelledOnDisk(dirOf.get(node)!, path) !== path;
    // Where the disk holds another spelling of a name on the way, the path cannot be there (its conflict copies neither).
    const caseInTheWay = (node: string, path: string) => foldsCase(node) && twinOnDisk(node, path);
    violations.push(
      ...checkChunksReachable(raw, repoIds, heads, rollbacks > 0, decoded, unrecoverable, codec()),
      ...checkAcknowledged(
        libs,
        expected,
        disks,
        (node, path) => linkInTheWay(links.get(node) ?? [], path) || caseInTheWay(node, path),
        (node, v) => prunedAt(libs.get(node)!, v),
        [...everSeen.values()].filter((v) => !droppedUnpublished.has(v.hash)),
      ),
      ...checkNothingStale(libs, raw, repoIds, codec()),
      ...checkConvergence(libs, sameCase, (xs) => shuffle(xs, rng)),
    );
    if (folding.size > 0) {
      violations.push(
        ...checkCaseClashes(
          libs,
          disks,
          foldsCase,
          lastSummary,
          twinOnDisk,
          (node, path) => !twinOnDisk(node, path) && existsSync(join(dirOf.get(node)!, path)),
          (path) => linkInTheWay(allLinks, path),
          unwritable,
          (node, path) => (path in disks.get(node)! ? path : recordedSpelling(libs.get(node)!, disks.get(node)!, path)),
        ),
      );
      violations.push(
        ...checkNoEditOfTwin(
          nodes[0]!.lib!.state.allVersions(),
          // A clone's disk carries its original's files: what either's user wrote there counts.
          nodes.map((n) => ({ foldsCase: foldsCase(n.name), writers: n.writers, writes: nodes.filter((x) => personOf(x.name) === personOf(n.name)).flatMap((x) => x.writes) })),
        ),
      );
      events['case clash at the end'] = clashing.size;
      // What only the case-insensitive disk can hold, it holds (its content unless a rollback took it from everyone).
      // Tried on the mount (fuse-exfat 1.3.0, node's fs): the Mac's names (105 UTF-16 units, 305 bytes)
      // are created and listed back exactly; 255 units pass whatever their bytes (757 of CJK, 254
      // units of emoji in 508), 256 units fail ENAMETOOLONG. A path it cannot hold for another reason
      // (content lost on every side: `unwritable`, left out of `disks`) must be among its errors.
      for (const [name, disk] of disks) {
        if (!foldsCase(name)) continue; // (that disk holds no links: every path of the tree is its to hold)
        for (const [p, e] of finalTree) {
          if (!tooLongHere(p) || clashing.has(p) || e.version.kind === 'dir') continue;
          const said = (lastSummary.get(name)?.errors ?? []).some((m) => m.includes(p)); // a file or a link in the way, say
          // Content lost on every side leaves the path out of `disks`: a node that wrote the file
          // before the loss keeps it, and has nothing to report (seed 33552).
          if (unwritable(p) && fileIsThere(join(dirOf.get(name)!, p))) continue;
          if (!(p in disk) && !said) violations.push(`${name} (exFAT) neither holds nor reports ${p.slice(0, 12)}…, a name it can hold`);
          else if (p in disk && rollbacks === 0 && contentChunks(disk[p]!).join() !== e.version.chunks.join()) violations.push(`${name} (exFAT) holds other content at ${p.slice(0, 12)}…`);
        }
      }
    }
    violations.push(...checkWriters(raw, retired, FORK_FREE.has(o.mode), cloned));
    // Upgraded (at the latest before the final collection): every node follows it.
    if (upgrading)
      for (const n of nodes) if (n.lib!.format.format !== NEWEST_FORMAT) violations.push(`${n.name} did not follow the upgrade to format ${NEWEST_FORMAT} (still format ${n.lib!.format.format})`);
    violations.push(...checkAuthorsNamed(libs, nodes));
    if (outside || folding.size > 0) {
      // Local edges never stop the rounds from going quiet (a name this disk cannot hold, a path behind a link, is reported, not retried into a loop).
      // (After a storage rollback, content held nowhere but behind a link is reported each round, by design.)
      if (!quiet && rollbacks === 0) violations.push('the rounds did not go quiet in 12 passes');
      if (outside) violations.push(...checkReportedTooLong(libs, lastSummary, (node, p) => !foldsCase(node) && tooLongHere(p)));
      if (outside) violations.push(...checkOutside(), ...checkNothingFromOutside(remoteVersions(raw, repoIds, decoded, codec()), ['l-out', 'd/l-out'], contentChunks(OUTSIDE_CONTENT)));
      violations.push(
        ...checkOnlyUserDeletes(
          nodes[0]!.lib!,
          nodes.map((n) => ({ writers: n.writers, removed: new Set(n.sawAtDelete.keys()) })),
        ),
      );
    }
    if (violations.length > 0) {
      // For the replay: the version history of every path, as the first node knows it.
      const lib = nodes[0]!.lib!;
      const short = (h: string) => h.slice(0, 8);
      for (const v of lib.state.allVersions().sort((a, b) => a.hlc - b.hlc)) {
        log(
          `  history ${v.path} ${short(v.hash)} by ${v.writer} parents [${v.parents.map(short).join(',')}]${v.deleted ? ' deleted' : ''} chunks [${v.chunks.map((c) => `${short(c)}${lib.state.hasChunk(c) ? '' : '?'}`).join(',')}]`,
        );
      }
    }
  } catch (e) {
    violations.push(`the schedule threw: ${(e as Error).stack ?? e}`);
  } finally {
    for (const n of nodes) await n.lib?.close().catch(() => undefined);
    rmSync(base, { recursive: true, force: true });
    if (ciBase) rmSync(ciBase, { recursive: true, force: true });
  }
  return { ok: violations.length === 0, violations, trace, events };
}

function shuffle<T>(xs: T[], rng: Rng): T[] {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}
