/**
 * Pack collection, in two phases (docs/PROTOCOL.md §3.12). A pack listed for longer than the
 * margin is unneeded when every chunk a kept version uses that it holds has a home elsewhere: a
 * location in another listed pack that no announcement condemned (for most unneeded packs there
 * is no such chunk at all: their versions were pruned). It is condemned: this node announces it
 * in a segment, and from then on no node deduplicates against it (it is still read). A margin
 * after the announcement (the storage's clock), the node that announced it deletes it if a fresh
 * look still finds it unneeded, and every such chunk reads back, verified, from its home
 * elsewhere: a location some other segment merely claims is never taken on trust. A writer that
 * deduplicated against it before learning of the announcement published that version within
 * half a margin of a listing that did not show the announcement (round.ts looks again before
 * committing when a round ran long), so a look a margin later sees the version.
 *
 * A pack still needed that is mostly unused, or small among many small ones, is repacked
 * (repack-plan.ts): the chunks it alone holds are copied into new packs, and the same segment
 * that announces it condemned publishes the copies' locations.
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
import type { Repack, RepackRule } from './repack-plan.js';

/** What pack collection does in one collection (format 5). */
export interface PackPlan {
  /** Packs announced condemned now: unneeded and listed for longer than the margin, not yet announced here. */
  condemn: ObjectInfo[];
  /** Packs still needed, mostly unused or small, whose needed chunks are copied out, then announced condemned with them. */
  repack: Repack;
  /** Packs this node announced at least a margin ago, still unneeded: deleted now. */
  delete: ObjectInfo[];
  /** This node's announcements that no longer stand (the pack is needed again, or gone): forgotten. */
  withdrawn: string[];
  /** Packs announced here and waiting out the margin. */
  waiting: number;
  /** Every listed pack older than the margin that nothing needs (announced or not): how many, and their bytes. */
  unneeded: { count: number; bytes: number };
}

/** What this node's own state keeps: the chunks its versions use, and every location it knows of them. */
export interface LocalUse {
  used: Set<string>;
  /** [chunk, pack] */
  locations: Iterable<readonly [string, string]>;
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
   * What the versions this node keeps use: a segment it applied in an earlier round counts even
   * where this listing of `log/` dropped it (§2: nothing is deleted because a key is missing from
   * a listing).
   */
  keptHere: () => LocalUse;
  /** Every pack an announcement this node applied condemned. */
  condemnedHere: ReadonlySet<string>;
  /** Whether every chunk reads back, verified, from one of the packs given for it (its homes elsewhere). */
  readsBackElsewhere: (homes: ReadonlyMap<string, string[]>) => Promise<boolean>;
  /** Which packs are repacked, by what this node can read of them (repack-plan.ts). */
  repackRule: RepackRule;
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
  let use: PackUse;
  try {
    use = await packUse(c);
  } catch (e) {
    if (!isStorageError(e)) throw e;
    return { unknown: `${e.message}, so which packs are needed is not known; no pack was condemned or deleted` };
  }
  const listing = (await listAll(c.storage, 'packs/', { etags: false })).filter((p) => PACK_KEY.test(p.key));
  const listed = new Set(listing.map((p) => p.key));
  const homes = new Homes(use, listed);
  const plan: PackPlan = { condemn: [], repack: { packs: [], chunks: new Map(), bytes: 0 }, delete: [], withdrawn: [], waiting: 0, unneeded: { count: 0, bytes: 0 } };
  const stuck = new Map<ObjectInfo, string[]>();
  for (const p of listing) {
    const announced = c.own.get(p.key);
    const alone = homes.aloneIn(p.key);
    if (alone.length === 0 && c.old(p)) {
      plan.unneeded.count++;
      plan.unneeded.bytes += p.size;
    }
    if (alone.length > 0) {
      if (announced !== undefined) plan.withdrawn.push(p.key);
      // Condemned by another node, or by this one and withdrawn, it may be repacked all the same: a copy outside it is what lets it go.
      else if (c.old(p)) stuck.set(p, alone);
    } else if (announced === undefined) {
      // A needed chunk it holds that lives elsewhere too must read back from there first: a claimed location would only make it condemned and withdrawn, again and again.
      if (condemnable(c, p) && plan.condemn.length < MAX_LOST_PACKS_PER_SEGMENT && (await c.readsBackElsewhere(homes.elsewhere(p.key)))) plan.condemn.push(p);
    } else if (c.storageNow - announced < c.marginMs) plan.waiting++;
    else if (await c.readsBackElsewhere(homes.elsewhere(p.key))) plan.delete.push(p);
    else plan.withdrawn.push(p.key);
  }
  for (const pack of c.own.keys()) if (!listed.has(pack)) plan.withdrawn.push(pack);
  plan.repack = c.repackRule(stuck, MAX_LOST_PACKS_PER_SEGMENT - plan.condemn.length);
  return plan;
}

/** The chunks kept versions use, every pack that holds each (by a published or known location), and every condemned pack. */
interface PackUse {
  used: Set<string>;
  packsOf: Map<string, Set<string>>;
  /**
   * The packs that hold each by a location the remote publishes now (a listed checkpoint or
   * segment): only those are homes elsewhere. A location only this node knows (a repack's copies
   * whose announcing segment a crash left in the journal) would let it delete a pack no other node
   * can do without.
   */
  published: Map<string, Set<string>>;
  condemned: Set<string>;
}

/** Where each needed chunk lives: which packs hold one alone, and where else a pack's needed chunks are. */
class Homes {
  private readonly inPack = new Map<string, string[]>();

  constructor(
    private readonly use: PackUse,
    private readonly listed: ReadonlySet<string>,
  ) {
    for (const chunk of use.used) for (const pack of use.packsOf.get(chunk) ?? []) (this.inPack.get(pack) ?? this.inPack.set(pack, []).get(pack)!).push(chunk);
  }

  /** A needed chunk's homes other than `pack`: listed packs no announcement condemned, by a published location. */
  private others(chunk: string, pack: string): string[] {
    return [...(this.use.published.get(chunk) ?? [])].filter((p) => p !== pack && this.listed.has(p) && !this.use.condemned.has(p));
  }

  /** The needed chunks `pack` holds that have no home elsewhere: while there is one, it is needed. */
  aloneIn(pack: string): string[] {
    return (this.inPack.get(pack) ?? []).filter((chunk) => this.others(chunk, pack).length === 0);
  }

  /** The needed chunks `pack` holds, each with its homes elsewhere. */
  elsewhere(pack: string): Map<string, string[]> {
    return new Map((this.inPack.get(pack) ?? []).map((chunk) => [chunk, this.others(chunk, pack)]));
  }
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

/** What the listed checkpoints and segments, and this node's state, say is used, where, and what is condemned. */
async function packUse(c: PackPlanContext): Promise<PackUse> {
  const here = c.keptHere();
  const use: PackUse = { used: here.used, packsOf: new Map(), published: new Map(), condemned: new Set(c.condemnedHere) };
  const bundled = new Set<string>();
  const add = (to: Map<string, Set<string>>, chunk: string, pack: string) => (to.get(chunk) ?? to.set(chunk, new Set()).get(chunk)!).add(pack);
  const locate = (chunk: string, pack: string) => {
    add(use.packsOf, chunk, pack);
    add(use.published, chunk, pack);
  };
  for (const [chunk, pack] of here.locations) add(use.packsOf, chunk, pack);
  for (const m of c.manifests) {
    checkAborted(c.signal);
    try {
      const whole = await readWholeCheckpoint(c.storage, c.codec, m, c.repoIds, c.signal);
      for (const chunk of whole.used) use.used.add(chunk);
      for (const s of whole.bundled) bundled.add(s);
      for (const [chunk, packs] of whole.packsOf) for (const pack of packs) locate(chunk, pack);
      for (const announced of whole.condemned) use.condemned.add(announced.slice(announced.indexOf(' ') + 1));
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
    for (const v of segment.versions) for (const chunk of v.chunks) use.used.add(chunk);
    for (const [chunk, pack] of segment.chunks) locate(chunk, pack);
    for (const pack of segment.condemned ?? []) use.condemned.add(pack);
  }
  return use;
}
