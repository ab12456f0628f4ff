/**
 * Pack collection, in two phases (docs/PROTOCOL.md §3.12). A pack listed for longer than the
 * margin that holds no chunk a kept version needs is condemned: this node announces it in a
 * segment, and from then on no node deduplicates against it (it is still read). A margin after the
 * announcement (the storage's clock), the node that announced it deletes it if a fresh look still
 * finds it unneeded. A writer that deduplicated against it before learning of the announcement
 * published that version within half a margin of a listing that did not show the announcement
 * (round.ts looks again before committing when a round ran long), so a look a margin later sees
 * the version, and the pack is needed again.
 *
 * Needed is computed from everything a node could still read once this collection is done: every
 * version of every listed checkpoint it keeps (another collector may have deleted segments on the
 * strength of a newer one than the checkpoint this collection relies on) and of every listed
 * segment it keeps. What the segments it deletes held, the checkpoint it relies on carries, or
 * pruned rightly (§3.11). And every version this node's own state keeps: a listing may drop a
 * segment, and this node applied it when an earlier one showed it. A checkpoint or a segment that
 * cannot be read makes the answer unknown: then nothing is condemned or deleted.
 */
import type { RepositoryCodec } from '../../codec/repository-codec.js';
import { checkAborted } from '../../model/abort.js';
import type { ObjectInfo, Storage } from '../../storage/contract.js';
import { isStorageError } from '../../storage/errors.js';
import { listAll } from '../../storage/listing.js';
import { MAX_LOST_PACKS_PER_SEGMENT } from '../remote-limits.js';
import { PACK_KEY } from '../segment-schema.js';
import { parseSegmentKey } from '../segment.js';
import type { ManifestKey } from '../checkpoints/format.js';
import { readSegment } from './read-segment.js';
import { readWholeCheckpoint } from './whole-checkpoint.js';

/** What pack collection does in one collection (format 5). */
export interface PackPlan {
  /** Packs announced condemned now: unneeded and listed for longer than the margin, not yet announced here. */
  condemn: ObjectInfo[];
  /** Packs this node announced at least a margin ago, still unneeded: deleted now. */
  delete: ObjectInfo[];
  /** This node's announcements that no longer stand (the pack is needed again, or gone): forgotten. */
  withdrawn: string[];
  /** Packs announced here and waiting out the margin. */
  waiting: number;
  /** Every listed pack older than the margin that nothing needs (announced or not): how many, and their bytes. */
  unneeded: { count: number; bytes: number };
}

export interface PackPlanContext {
  storage: Storage;
  codec: RepositoryCodec;
  repoIds: ReadonlySet<string>;
  /** Every listed checkpoint manifest and every listed segment this collection does not delete. */
  manifests: ManifestKey[];
  segments: ObjectInfo[];
  /** Listed longer than the margin, by the storage's clock. */
  old: (o: ObjectInfo) => boolean;
  /** Whether this node ever learned a location in the pack (a segment or checkpoint named it). */
  known: (pack: string) => boolean;
  /**
   * Packs the versions this node keeps use (by every location it knows): a segment it applied in
   * an earlier round counts even where this listing of `log/` dropped it (§2: nothing is deleted
   * because a key is missing from a listing).
   */
  keptHere: () => Set<string>;
  /** This node's own announcements: pack → the storage's time of the announcement. */
  own: ReadonlyMap<string, number>;
  /** The storage's time now (ms). */
  storageNow: number;
  /** How long an announcement waits before its pack goes. */
  marginMs: number;
  signal?: AbortSignal;
}

/** The plan, or why there is none this time (a checkpoint or segment could not be read). */
export async function planPacks(c: PackPlanContext): Promise<PackPlan | { unknown: string }> {
  let needed: Set<string>;
  try {
    needed = await neededPacks(c);
  } catch (e) {
    if (!isStorageError(e)) throw e;
    return { unknown: `${e.message}, so which packs are needed is not known; no pack was condemned or deleted` };
  }
  const plan: PackPlan = { condemn: [], delete: [], withdrawn: [], waiting: 0, unneeded: { count: 0, bytes: 0 } };
  const listed = new Set<string>();
  for (const p of await listAll(c.storage, 'packs/')) {
    if (!PACK_KEY.test(p.key)) continue;
    listed.add(p.key);
    const announced = c.own.get(p.key);
    if (!needed.has(p.key) && c.old(p)) {
      plan.unneeded.count++;
      plan.unneeded.bytes += p.size;
    }
    if (needed.has(p.key)) {
      if (announced !== undefined) plan.withdrawn.push(p.key);
    } else if (announced === undefined) {
      if (condemnable(c, p) && plan.condemn.length < MAX_LOST_PACKS_PER_SEGMENT) plan.condemn.push(p);
    } else if (c.storageNow - announced >= c.marginMs) plan.delete.push(p);
    else plan.waiting++;
  }
  for (const pack of c.own.keys()) if (!listed.has(pack)) plan.withdrawn.push(pack);
  return plan;
}

/**
 * How long a pack no segment or checkpoint this node has read ever named waits before it may be
 * condemned: it is what a writer's round left when it crashed, or lost the remote, between
 * uploading the pack and the segment naming it, and that writer sends the segment when it next
 * syncs (from its journal, §7 step 7). A month, as for a machine that stopped writing (§3.7):
 * a machine that has not synced for that long after such a crash, and whose file changed since,
 * loses that version. Packs that were named and are unneeded now (pruned) wait only the margin.
 */
const ORPHAN_WAIT_MS = 30 * 86_400_000;

function condemnable(c: PackPlanContext, p: ObjectInfo): boolean {
  if (!c.old(p)) return false;
  return c.known(p.key) || (p.modified !== undefined && c.storageNow - p.modified.getTime() >= ORPHAN_WAIT_MS);
}

/** Every pack that holds, by a location a checkpoint or segment publishes, a chunk some version they carry uses. */
async function neededPacks(c: PackPlanContext): Promise<Set<string>> {
  const used = new Set<string>();
  const packsOf = new Map<string, string[]>();
  const bundled = new Set<string>();
  const locate = (chunk: string, pack: string) => (packsOf.get(chunk) ?? packsOf.set(chunk, []).get(chunk)!).push(pack);
  for (const m of c.manifests) {
    checkAborted(c.signal);
    try {
      const whole = await readWholeCheckpoint(c.storage, c.codec, m, c.repoIds, c.signal);
      for (const chunk of whole.used) used.add(chunk);
      for (const s of whole.bundled) bundled.add(s);
      for (const [chunk, packs] of whole.packsOf) for (const pack of packs) locate(chunk, pack);
    } catch (e) {
      // Gone since the listing: another collection found a newer checkpoint carries all of it.
      if (!isStorageError(e, 'NotFound')) throw e;
    }
  }
  for (const o of c.segments) {
    checkAborted(c.signal);
    const key = parseSegmentKey(o.key);
    if (!key) continue;
    let segment;
    try {
      segment = await readSegment(c.storage, c.codec, c.repoIds, key);
    } catch (e) {
      // Collected since the listing, on the strength of a checkpoint read above; gone otherwise
      // (a storage rolled back), its versions may come back (§7.1): unknown.
      if (isStorageError(e, 'NotFound') && bundled.has(o.key)) continue;
      throw e;
    }
    for (const v of segment.versions) for (const chunk of v.chunks) used.add(chunk);
    for (const [chunk, pack] of segment.chunks) locate(chunk, pack);
  }
  const needed = c.keptHere();
  for (const chunk of used) for (const pack of packsOf.get(chunk) ?? []) needed.add(pack);
  return needed;
}
