/**
 * Catching up from a checkpoint (docs/PROTOCOL.md §3.9): a node with many listed segments it has
 * not applied (a new machine, one restored from an old copy, one back after months) reads the
 * largest checkpoint instead of those segments, and then only the segments after it.
 *
 * A bundled segment is applied exactly as if it had been read: its versions and locations are
 * recorded as coming from it, so everything that reasons per segment (a segment the remote lost
 * is republished, §7.1) works unchanged. Only segments this node does not know are taken from
 * the checkpoint. A checkpoint that does not verify is ignored, part by part: what its valid
 * parts bundled is applied, the rest is read from the segments, which are still there.
 */
import type { RepositoryCodec } from '../../codec/repository-codec.js';
import type { LocalState } from '../../local/state.js';
import { LostAnnouncements } from '../../local/lost-announcements.js';
import { CondemnedPacks } from '../../local/condemned-packs.js';
import { checkAborted } from '../../model/abort.js';
import { withHash } from '../../model/version.js';
import type { Storage } from '../../storage/contract.js';
import { isStorageError } from '../../storage/errors.js';
import { listAll } from '../../storage/listing.js';
import { addLocations, chunkLocations, type LocationsState } from '../chunk-locations.js';
import type { ListedSegment } from '../ingest.js';
import { MAX_SEGMENT_BYTES } from '../remote-limits.js';
import { heedAnnouncement } from '../pack-health.js';
import { RetryLedger } from '../retry-ledger.js';
import { parseSegmentKey } from '../segment.js';
import type { StepReport } from '../sync-summary.js';
import { CHECKPOINTS_PREFIX, frontierOf, parseManifestKey, type CheckpointManifest, type CheckpointPart, type ManifestKey } from './format.js';
import type { ChunkLocation } from '../../model/chunk-location.js';
import { decodeManifest, decodePart } from './objects.js';
import { SupersededTable } from '../../local/superseded-table.js';
import { pruneAsCheckpointDid } from '../retention/local-pruning.js';
import { retentionInForce } from '../retention/retention-in-force.js';
import type { RoundPolicy } from '../round-policy.js';

export type CheckpointReadState = LocationsState & Pick<LocalState, 'round' | 'addVersion' | 'recordSegment' | 'journalKeys' | 'version' | 'journalIndex'>;

/** Manifests a round tries at most before reading the segments themselves (each costs a read). */
const CANDIDATES = 3;

export interface CatchUp {
  storage: Storage;
  codec: RepositoryCodec;
  state: CheckpointReadState;
  /** Unknown listed segments a checkpoint must spare before it is worth reading (it is larger than they are). */
  threshold: number;
  /** How this node prunes its own state after a checkpoint that pruned (round-policy.ts), and its clock. */
  policy?: Pick<RoundPolicy, 'pruneVersions'>;
  now?: () => number;
  signal?: AbortSignal;
}

/** The checkpoints listed, largest first (ties: the later number, then the key). */
export async function listCheckpoints(storage: Storage): Promise<ManifestKey[]> {
  const out: ManifestKey[] = [];
  for (const o of await listAll(storage, CHECKPOINTS_PREFIX, { etags: false })) {
    const k = parseManifestKey(o.key);
    if (k && (o.size === undefined || o.size <= MAX_SEGMENT_BYTES)) out.push(k);
  }
  return out.sort((a, b) => b.covered - a.covered || b.cseq - a.cseq || (a.key < b.key ? -1 : 1));
}

/** A checkpoint applied: its manifest's key, the segments taken from it, and every parent its versions name. */
export interface CaughtUp {
  key: string;
  applied: string[];
  parents: Set<string>;
}

/**
 * When enough listed segments are unknown here, applies the largest checkpoint that spares
 * reading them. Returns the segment keys applied from it (the caller adds them to what it knows,
 * so they are not read again this round, and then has a few of them read back: spot-check.ts).
 */
export async function catchUpFromCheckpoint(c: CatchUp, listing: ListedSegment[], known: Set<string>, repoIds: string[], report: StepReport): Promise<CaughtUp | undefined> {
  if (c.threshold <= 0) return undefined;
  const unknown = listing.filter((k) => !known.has(k.key));
  if (unknown.length < c.threshold) return undefined;
  const candidates = (await listCheckpoints(c.storage)).filter((k) => k.covered >= c.threshold).slice(0, CANDIDATES);
  const aliases = new Set(repoIds);
  for (const k of candidates) {
    checkAborted(c.signal);
    let manifest: CheckpointManifest;
    try {
      manifest = decodeManifest(k, await c.storage.get(k.key, { range: { offset: 0, length: MAX_SEGMENT_BYTES + 1 } }), aliases, c.codec);
    } catch (e) {
      if (!isStorageError(e, 'Corrupt') && !isStorageError(e, 'NotFound')) throw e;
      report.notices.push(`ignored checkpoint ${k.key}: ${(e as Error).message}; reading segments instead`);
      continue;
    }
    const spared = unknown.filter((s) => s.seq <= frontierOf(manifest, s.writer)).length;
    if (spared < c.threshold) return undefined;
    const parents = new Set<string>();
    return { key: k.key, applied: await applyParts(c, manifest, known, aliases, report, parents), parents };
  }
  return undefined;
}

/** The bundled segments marked in `take`, applied as if each had been read (one transaction); returns their keys. */
function applyPart(state: CheckpointReadState, ledger: RetryLedger, part: CheckpointPart, take: boolean[], parents: Set<string>): string[] {
  const applied: string[] = [];
  state.transaction(() => {
    let hlc = state.round.get('hlc');
    let added = false;
    for (const [at, v] of part.versions) {
      if (!take[at]) continue;
      if (state.addVersion(withHash(v), part.segments[at]!)) added = true;
      for (const p of v.parents) parents.add(p);
      hlc = Math.max(hlc, v.hlc);
    }
    // Every location, also those of segments this node knows: a location is credited to one
    // segment, and a node that forgot it (it judged the pack lost, and the pack was rebuilt under
    // the same key since) may know that one and not the segment that published it again. A
    // location in a pack that is really gone fails its read and is judged again (§3.3).
    const locations = new Map<number, ChunkLocation[]>();
    let learned = false;
    for (const [h, p, o, l, at] of part.chunks) {
      if (!take[at]) {
        if (chunkLocations(state, h).some(([, pack]) => pack === p)) continue;
        learned = true;
      }
      const list = locations.get(at) ?? [];
      locations.set(at, list);
      list.push([h, p, o, l]);
    }
    for (const [at, list] of locations) addLocations(state, list, part.segments[at]!);
    part.segments.forEach((s, at) => {
      if (!take[at]) return;
      const { writer, seq } = parseSegmentKey(s)!;
      state.recordSegment(s, writer, seq, 'applied');
      ledger.succeeded(s);
      applied.push(s);
    });
    // An announcement a bundled segment made: look, as if it had been read (§7.1).
    const announced = part.lostPacks.filter(([at]) => take[at]);
    for (const [at, pack] of announced) new LostAnnouncements(state.db).record(part.segments[at]!, [pack]);
    heedAnnouncement(
      state,
      announced.map(([, pack]) => pack),
    );
    // Condemnations (§3.12), whichever segments this node takes: no deduplication against those packs.
    for (const [at, pack] of part.condemned ?? []) new CondemnedPacks(state.db).record(part.segments[at]!, [pack]);
    // Facts about versions, whichever segments this node takes: each names a version that has a descendant (§3.11).
    // Only names new here can change the tree: a checkpoint read again (learn-collected.ts) re-materializes nothing.
    if (part.superseded?.length && new SupersededTable(state.db).record(part.superseded) > 0) state.round.set('materialize', true);
    state.round.set('hlc', hlc);
    if (added || learned) state.round.set('materialize', true);
  });
  return applied;
}

/**
 * Whether a pruning checkpoint pruned under the retention in force (§3.11). One pruned under an
 * earlier setting gives its versions, but this node does not prune its own state by it: a later,
 * longer policy keeps what it left out (seeds 60647, 62314: a clone took a checkpoint pruned to
 * "keep the last 1" after "keep everything within 2 minutes" was set, and dropped versions the
 * other nodes kept). One listing of `retention/`, and only after a checkpoint that pruned.
 */
async function prunedUnderTheSettingInForce(c: CatchUp, setting: string): Promise<boolean> {
  return (await retentionInForce(c.state, c.storage, c.codec)).setting?.key === setting;
}

/**
 * Applies a checkpoint's parts (the segments of each this node does not know); a part that fails
 * is skipped and said. `onPart` sees each part read (collection records what it bundles).
 */
export async function applyParts(
  c: CatchUp,
  m: CheckpointManifest,
  known: Set<string>,
  aliases: Set<string>,
  report: StepReport,
  parents: Set<string>,
  onPart?: (part: CheckpointPart) => void,
): Promise<string[]> {
  const { state } = c;
  const journaled = state.journalKeys();
  const ledger = new RetryLedger(state.db);
  const applied: string[] = [];
  for (let i = 0; i < m.parts.length; i++) {
    checkAborted(c.signal);
    const key = m.parts[i]!.key;
    let part;
    try {
      part = decodePart(m, i, await c.storage.get(key, { range: { offset: 0, length: MAX_SEGMENT_BYTES + 1 } }), aliases, c.codec);
    } catch (e) {
      if (!isStorageError(e, 'Corrupt') && !isStorageError(e, 'NotFound')) throw e;
      report.notices.push(`ignored part ${i} of checkpoint ${m.writer} #${m.cseq}: ${(e as Error).message}; its segments are read instead`);
      continue;
    }
    onPart?.(part);
    // Only segments this node does not know: one it applied, condemned or republished keeps its own story.
    const take = part.segments.map((s) => !known.has(s) && !journaled.has(s));
    applied.push(...applyPart(state, ledger, part, take, parents));
  }
  if (m.retention && (await prunedUnderTheSettingInForce(c, m.retention.setting))) pruneAsCheckpointDid(state, m.retention, c.now?.() ?? Date.now(), c.policy?.pruneVersions);
  if (applied.length > 0) {
    heedAnnouncement(state, m.lostPacks);
    if (m.covered > state.round.get('checkpointCovered')) state.round.set('checkpointCovered', m.covered);
  }
  return applied;
}
