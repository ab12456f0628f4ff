/**
 * Garbage collection of segments and checkpoints (docs/PROTOCOL.md §3.10), with no lock.
 *
 * A checkpoint bundles whole segments; once one has been listed for longer than the margin (by
 * the storage's clock) and reads back whole here, the segments it bundles are deleted: every
 * node that reads the remote now finds their content in it, and a node that had applied them
 * takes their absence for collection, not loss, because that checkpoint is listed. Then older
 * checkpoints whose every bundled segment the newer one also bundles, and parts no manifest
 * names that are older than the margin (an interrupted checkpoint), go too. The order keeps the
 * repository readable if this stops at any point: segments (their content stays in the
 * checkpoint), then manifests (the commit points), then parts.
 */
import type { RepositoryCodec } from '../../codec/repository-codec.js';
import { SyncError } from '../../model/sync-error.js';
import type { ObjectInfo, Storage } from '../../storage/contract.js';
import { isStorageError } from '../../storage/errors.js';
import { listAll } from '../../storage/listing.js';
import { CHECKPOINTS_PREFIX, parseManifestKey, type ManifestKey } from '../checkpoints/format.js';
import type { RoundPolicy } from '../round-policy.js';
import { readStorageClock, type StorageClock } from './storage-clock.js';
import { checkFaithful } from './faithful.js';
import { readManifest, readWholeCheckpoint, type WholeCheckpoint } from './whole-checkpoint.js';
import { heldBack, type UpgradeHold } from '../upgrade/collection-hold.js';
import { unneededPacks, type UnneededPacks } from './pack-references.js';
import { planPacks, type PackPlan, type PackPlanContext } from './pack-collection.js';
import { carriesAllOf, namesAllOf, packGone, prunedUnder } from './checkpoint-judgement.js';

/** The default margin: far longer than a listing lags or a round lasts, so nothing a node is reading goes. */
export const DEFAULT_COLLECTION_MARGIN_MS = 24 * 3_600_000;

const PART = /^checkpoint-parts\/([A-Za-z0-9_.-]+)\/(\d{10})\/\d{6}-[0-9a-f]{16}$/;

/** What a collection relies on and what may go (docs/PROTOCOL.md §3.10). */
export interface CollectionPlan {
  /** The storage's clock as read, and how far this machine's is off it. */
  clock: StorageClock;
  /** The margin kept, in milliseconds. */
  marginMs: number;
  /** The checkpoint the deletions rely on (read back whole), and its age on the storage's clock. */
  checkpoint?: {
    /** Its manifest's key. */
    key: string;
    /** Segments it covers. */
    covered: number;
    /** Its age, in milliseconds. */
    ageMs: number;
    /** It pruned versions under the retention policy (§3.11): what it left out goes with the segments. */
    pruned: boolean;
  };
  /** Segments it bundles, still on the remote. */
  segments: ObjectInfo[];
  /** Older checkpoints it supersedes (their manifests). */
  checkpoints: ObjectInfo[];
  /** Their parts, and parts no manifest names that are older than the margin. */
  parts: ObjectInfo[];
  /** Packs no kept version needs (older than the margin): how many and their bytes. */
  packs?: UnneededPacks;
  /** Format 5 (§3.12): packs condemned now, deleted now, and waiting; absent before format 5 or when unknown (said in `packs`). */
  packCollection?: PackPlan;
  /** Why less goes than could (no checkpoint old enough yet…), and what was kept and why. */
  notices: string[];
}

export interface CollectionContext {
  storage: Storage & { delete(key: string): Promise<void> };
  codec: RepositoryCodec;
  repoIds: ReadonlySet<string>;
  writer: string;
  /** This machine's clock. */
  now: () => number;
  marginMs: number;
  policy: Pick<RoundPolicy, 'segmentsToCollect' | 'collectionClock' | 'collectionMargin' | 'packMargin' | 'publishesCopies'>;
  /** How the clock probe waits for a listing that lags (tests pass one that does not). */
  sleep?: (ms: number) => Promise<void>;
  signal?: AbortSignal;
  /**
   * Format 4 (§3.11): the key of the retention setting in force (null: none). A checkpoint that
   * pruned under another setting (an earlier one, maybe stricter) is not relied on; before format
   * 4 (absent), neither is any checkpoint that pruned.
   */
  retention?: string | null;
  /** In a repository upgraded from format 2: what holds collection back (upgrade/collection-hold.ts). */
  upgrade?: UpgradeHold;
  /** Format 5 (§3.12): packs are collected; what this node knows of them (pack-collection.ts). */
  packs?: PackKnowledge;
}

/** What pack collection asks of this node: its own announcements, what it knows of packs, and how it reads them. */
export type PackKnowledge = Pick<PackPlanContext, 'own' | 'known' | 'keptHere' | 'condemnedHere' | 'readsBackElsewhere' | 'repackRule'>;

type Listed = ManifestKey & { info: ObjectInfo };

const ageOf = (clock: StorageClock, o: ObjectInfo): number => (o.modified ? clock.storageNow - o.modified.getTime() : -1);

/** What may go now; reads, deletes nothing (but the clock probe). */
export async function planCollection(c: CollectionContext): Promise<CollectionPlan> {
  const clock = c.policy.collectionClock(await readStorageClock(c.storage, c.writer, c.now, c.sleep), c.now(), c.storage.name);
  const marginMs = c.policy.collectionMargin(c.marginMs);
  const old = (o: ObjectInfo) => o.modified !== undefined && ageOf(clock, o) >= marginMs;
  const manifests: Listed[] = [];
  for (const info of await listAll(c.storage, CHECKPOINTS_PREFIX, { etags: false })) {
    const k = parseManifestKey(info.key);
    if (k) manifests.push({ ...k, info });
  }
  manifests.sort((a, b) => b.covered - a.covered || b.cseq - a.cseq || (a.key < b.key ? -1 : 1));
  const plan: CollectionPlan = { clock, marginMs: c.marginMs, segments: [], checkpoints: [], parts: [], notices: [] };
  const listed = await listAll(c.storage, 'log/', { etags: false });
  const held = c.upgrade && heldBack(c.upgrade, clock.storageNow, marginMs, listed);
  if (held) {
    plan.notices.push(held);
    return plan;
  }
  const chosen = await chooseCheckpoint(
    c,
    manifests.filter((m) => old(m.info)),
    listed,
    plan,
  );
  if (!chosen) {
    const young = manifests.find((m) => !old(m.info));
    plan.notices.push(
      young
        ? `the newest checkpoint (${young.key}) is younger than the margin; its segments can go once it is ${formatMs(c.marginMs)} old`
        : manifests.length === 0
          ? `there is no checkpoint yet: a collection writes one (not a dry run), and what it holds can go once it is ${formatMs(c.marginMs)} old`
          : 'no checkpoint is old enough and readable whole: nothing can be collected yet',
    );
    return plan;
  }
  plan.segments = c.policy.segmentsToCollect(listed, new Set(chosen.faithful.map((o) => o.key)));
  const going = new Set(plan.segments.map((o) => o.key));
  const staying = listed.filter((o) => !going.has(o.key));
  if (!c.packs) plan.packs = await unneededPacks({ ...c, checkpoint: chosen, staying, old });
  const parts = await listAll(c.storage, 'checkpoint-parts/', { etags: false });
  await supersededCheckpoints(c, manifests, chosen, old, parts, plan);
  // What stays after this collection is what may still be read: the versions it carries decide.
  const superseded = new Set(plan.checkpoints.map((o) => o.key));
  if (c.packs)
    await planPackCollection(
      c,
      manifests.filter((m) => !superseded.has(m.key)),
      staying,
      old,
      plan,
      marginMs,
    );
  const named = new Set(manifests.map((m) => `${m.writer}/${m.cseq}`));
  for (const p of parts) {
    const m = PART.exec(p.key);
    if (m && !named.has(`${m[1]}/${Number(m[2])}`) && old(p)) plan.parts.push(p);
  }
  return plan;
}

async function planPackCollection(c: CollectionContext, manifests: Listed[], listed: ObjectInfo[], old: (o: ObjectInfo) => boolean, plan: CollectionPlan, marginMs: number): Promise<void> {
  const packs = await planPacks({
    ...c,
    manifests,
    segments: listed,
    old,
    ...c.packs!,
    storageNow: plan.clock.storageNow,
    marginMs: c.policy.packMargin(marginMs),
  });
  if ('unknown' in packs) plan.packs = packs;
  else {
    plan.packCollection = packs;
    plan.packs = packs.unneeded;
  }
}

/**
 * The largest old-enough checkpoint that reads back whole and carries everything each listed
 * segment it bundles holds (faithful.ts); a damaged or unfaithful one is skipped, and said.
 */
async function chooseCheckpoint(
  c: CollectionContext,
  candidates: Listed[],
  listed: ObjectInfo[],
  plan: CollectionPlan,
): Promise<(WholeCheckpoint & { k: Listed; faithful: ObjectInfo[] }) | undefined> {
  for (const k of candidates) {
    let whole: WholeCheckpoint;
    try {
      whole = await readWholeCheckpoint(c.storage, c.codec, k, c.repoIds, c.signal);
    } catch (e) {
      if (!isStorageError(e, 'Corrupt') && !isStorageError(e, 'NotFound')) throw e;
      plan.notices.push(`checkpoint ${k.key} does not read back whole (${(e as Error).message}); not relied on, and kept`);
      continue;
    }
    const pruning = prunedUnder(whole, c.retention, k.info, plan.clock);
    if (pruning) {
      plan.notices.push(`checkpoint ${k.key} is not relied on: ${pruning}`);
      continue;
    }
    const check = await checkFaithful(
      c.storage,
      c.codec,
      c.repoIds,
      whole,
      listed.filter((o) => whole.bundled.has(o.key)),
      c.signal,
    );
    if (check.unfaithful) {
      plan.notices.push(`checkpoint ${k.key} is not relied on: ${check.unfaithful}`);
      continue;
    }
    if (check.unreadable.length) plan.notices.push(`kept ${check.unreadable.length} segment(s) that cannot be read now (${check.unreadable[0]}): nothing shows the checkpoint holds them`);
    plan.checkpoint = { key: k.key, covered: k.covered, ageMs: ageOf(plan.clock, k.info), pruned: whole.manifest.retention !== undefined };
    return { ...whole, k, faithful: check.faithful };
  }
  return undefined;
}

/** Older checkpoints the chosen one makes useless: every segment they bundle, it bundles too. */
async function supersededCheckpoints(
  c: CollectionContext,
  manifests: Listed[],
  chosen: WholeCheckpoint & { k: Listed },
  old: (o: ObjectInfo) => boolean,
  parts: ObjectInfo[],
  plan: CollectionPlan,
): Promise<void> {
  const gone = packGone(c.storage);
  for (const m of manifests) {
    if (m.key === chosen.k.key || !old(m.info)) continue;
    let whole: WholeCheckpoint;
    try {
      whole = await readWholeCheckpoint(c.storage, c.codec, m, c.repoIds, c.signal);
    } catch (e) {
      if (!isStorageError(e, 'Corrupt') && !isStorageError(e, 'NotFound')) throw e;
      plan.notices.push(`kept checkpoint ${m.key}: it does not read back whole (${(e as Error).message})`);
      continue;
    }
    // Bundles a segment, a version or a location the chosen one lacks (a fork its writer never saw): kept.
    // A version the chosen one pruned rightly (§3.11) it need not carry. Names a version superseded
    // that the chosen one does not: kept too (it may be the last record of that name).
    if (!namesAllOf(chosen, whole, plan.clock.storageNow) || !(await carriesAllOf(chosen, whole, gone))) continue;
    plan.checkpoints.push(m.info);
    const own = new Set(whole.manifest.parts.map((p) => p.key));
    plan.parts.push(...parts.filter((p) => own.has(p.key)));
  }
  if (plan.checkpoints.length > 0) await keepSharedParts(c, manifests, plan);
}

/**
 * A part is named by the hash of its bytes: two manifests of one writer id and number (a clone
 * that wrote under it before it knew, a fork) that bundle the same segments share it, and
 * deleting the one must not take the other's (seed 20760 of the collection campaign). So the parts
 * of a superseded manifest go only if no manifest that stays names them; one that cannot be read
 * keeps every part of its writer and number.
 */
async function keepSharedParts(c: CollectionContext, manifests: Listed[], plan: CollectionPlan): Promise<void> {
  const going = new Set(plan.checkpoints.map((o) => o.key));
  const kept = new Set<string>();
  for (const m of manifests) {
    if (going.has(m.key)) continue;
    try {
      for (const p of (await readManifest(c.storage, c.codec, m, c.repoIds)).parts) kept.add(p.key);
    } catch (e) {
      if (!isStorageError(e, 'Corrupt') && !isStorageError(e, 'NotFound')) throw e;
      for (const p of plan.parts) if (PART.exec(p.key)?.slice(1, 3).join('/') === `${m.writer}/${String(m.cseq).padStart(10, '0')}`) kept.add(p.key);
    }
  }
  plan.parts = plan.parts.filter((p) => !kept.has(p.key));
}

/** Deletes what the plan says, in the order that keeps the repository readable throughout; returns the keys deleted here whose bytes add up to `bytes`. */
export async function carryOut(c: CollectionContext, plan: CollectionPlan): Promise<{ deleted: number; bytes: number }> {
  let deleted = 0;
  let bytes = 0;
  // Packs last: a crash before leaves them for the next collection, which finds them unneeded still.
  for (const group of [plan.segments, plan.checkpoints, plan.parts, plan.packCollection?.delete ?? []]) {
    for (const o of group) {
      if (c.signal?.aborted) throw new SyncError('Aborted', 'interrupted');
      await c.storage.delete(o.key);
      deleted++;
      bytes += o.size;
    }
  }
  return { deleted, bytes };
}

function formatMs(ms: number): string {
  if (ms % 86_400_000 === 0 && ms > 0) return `${ms / 86_400_000}d`;
  if (ms % 3_600_000 === 0 && ms > 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0 && ms > 0) return `${ms / 60_000}m`;
  return `${Math.round(ms / 1000)}s`;
}
