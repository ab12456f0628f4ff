/**
 * Writing a checkpoint (docs/PROTOCOL.md §3.9): every segment this node has applied, per writer
 * the longest run from sequence 1 with no gap, bundled with the versions and locations each
 * taught this node, in parts within the segment limits; the parts go up first, then the
 * manifest. Nothing is locked and nothing is replaced: two nodes checkpointing at once make two
 * checkpoints, each complete, and readers take the larger.
 */
import type { Storage } from '../../storage/contract.js';
import type { RepositoryCodec } from '../../codec/repository-codec.js';
import type { LocalState } from '../../local/state.js';
import { LostAnnouncements } from '../../local/lost-announcements.js';
import { CondemnedPacks } from '../../local/condemned-packs.js';
import type { ChunkLocation } from '../../model/chunk-location.js';
import type { HashedVersion, Version } from '../../model/version.js';
import type { RoundPolicy } from '../round-policy.js';
import { stripHash } from '../steps/new-versions.js';
import { MAX_LOST_PACKS_PER_SEGMENT, WRITER_TARGETS } from '../remote-limits.js';
import type { CheckpointManifest, CheckpointPart } from './format.js';
import { encodeManifest, encodePart } from './objects.js';
import { SupersededTable } from '../../local/superseded-table.js';
import type { CheckpointRetention } from '../retention/policy-object.js';
import type { Pruning } from '../retention/prune.js';
import { spreadSuperseded, supersededToName } from '../retention/checkpoint-pruning.js';
import { pruneLocalState } from '../retention/local-pruning.js';
import { segmentRuns } from '../../local/segment-runs.js';

export type CheckpointWriteState = Pick<LocalState, 'db' | 'round' | 'journalKeys' | 'transaction'>;

/** Segments per part, and what versions may take of a part's JSON (locations counted at ~200 bytes). */
const SEGMENTS_PER_PART = 10_000;
const PART_JSON_BYTES = WRITER_TARGETS.jsonBytes;
/** Locations credited to segments the checkpoint does not cover that ride with its last one (see taughtBy). */
const CARRIED = 10_000;

type LocationRow = { hash: string; pack: string; offset: number; length: number; segment: string };

interface Covered {
  /** Covered segment keys, by writer then sequence number. */
  keys: string[];
  frontier: Record<string, number>;
}

/**
 * Per writer, the segments 1..n this node holds applied (its own: uploaded), n as large as it
 * goes without a gap. A segment another writer wrote that the remote lost, and this node
 * republished in its own (§7.1), fills its place: its versions are covered by ours.
 */
export function coveredSegments(state: CheckpointWriteState): Covered {
  const notUploaded = state.journalKeys(true);
  const rows = state.db.prepare("SELECT key, writer, seq, state FROM segments WHERE state IN ('applied', 'republished')").all() as { key: string; writer: string; seq: number; state: string }[];
  for (const r of segmentRuns(state.db).segments()) rows.push({ ...r, state: 'applied' });
  const byWriter = new Map<string, Map<number, string[]>>();
  for (const r of rows) {
    if (notUploaded.has(r.key)) continue;
    const seqs = byWriter.get(r.writer) ?? new Map<number, string[]>();
    byWriter.set(r.writer, seqs);
    const at = seqs.get(r.seq) ?? [];
    seqs.set(r.seq, at);
    if (r.state === 'applied') at.push(r.key);
  }
  const keys: string[] = [];
  const frontier: Record<string, number> = {};
  for (const writer of [...byWriter.keys()].sort()) {
    const seqs = byWriter.get(writer)!;
    let n = 0;
    while (seqs.has(n + 1)) n++;
    if (n === 0) continue;
    const mine = [...seqs.entries()].filter(([seq]) => seq <= n).flatMap(([, k]) => k);
    if (mine.length === 0) continue;
    frontier[writer] = n;
    keys.push(...mine.sort());
  }
  return { keys, frontier };
}

/** `map[key]`, made an empty list first. */
function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

interface Taught {
  versions: Map<string, Version[]>;
  locations: Map<string, ChunkLocation[]>;
  announced: Map<string, string[]>;
  /** Packs each covered segment announced condemned (§3.12): all of them, for as long as the segment is bundled. */
  condemned: Map<string, string[]>;
  /** Under a retention policy: what it prunes (§3.11). */
  pruning?: Pruning;
}

/** What each covered segment taught this node: versions, locations, announcements of lost packs. */
function taughtBy(state: CheckpointWriteState, policy: RoundPolicy, keys: string[], retention?: CheckpointRetention): Taught {
  const covered = new Set(keys);
  const taught: Taught = { versions: new Map(), locations: new Map(), announced: new Map(), condemned: new Map() };
  const rows = state.db.prepare('SELECT hash, json, segment FROM versions WHERE segment IS NOT NULL ORDER BY hash').all() as { hash: string; json: string; segment: string }[];
  const segmentOf = new Map<string, string>();
  const all: HashedVersion[] = [];
  for (const r of rows) {
    if (!covered.has(r.segment)) continue;
    segmentOf.set(r.hash, r.segment);
    all.push({ ...(JSON.parse(r.json) as Version), hash: r.hash });
  }
  let carried = policy.checkpointVersions(all);
  if (retention) {
    taught.pruning = policy.pruneVersions(carried, new SupersededTable(state.db).prefixes(), retention.setting.policy, retention.asOf);
    carried = taught.pruning.kept;
  }
  for (const v of carried) push(taught.versions, segmentOf.get(v.hash)!, stripHash(v));
  // Alternatives after the main locations (chunk-locations.ts): a reader applying them in this
  // order keeps the same main location and the same alternatives.
  const alternates = state.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'chunk_location_alternates'").get()
    ? (state.db.prepare('SELECT hash, pack, offset, length, segment FROM chunk_location_alternates WHERE segment IS NOT NULL ORDER BY rowid').all() as LocationRow[])
    : [];
  const locationRows = state.db.prepare('SELECT hash, pack, offset, length, segment FROM chunk_locations WHERE segment IS NOT NULL ORDER BY hash, pack').all() as LocationRow[];
  // A location credited to a segment the checkpoint does not cover (a writer past its frontier, a
  // segment lost and back) rides with the last covered segment: a node catching up learns every
  // location the checkpointer has published or learned, not only those of the segments it takes.
  // At most CARRIED of those: a node reads the segments they are credited to anyway, unless it knew
  // them already (and forgot the location since, a rare case); a carrier past a part's limits
  // would only make readers ignore that part.
  //
  // Not those of this node's own segments still in the journal, unsent: readers credit a rider to
  // its carrier, which the storage may still hold without it, and a version made later with that
  // content is deduplicated against it and publishes no location of its own (seed 52033: a
  // revert's chunk then had a location in no stored segment). The journal publishes them.
  const unsent = state.journalKeys(true);
  const carrier = keys[keys.length - 1]!;
  let riding = 0;
  for (const r of [...locationRows, ...alternates]) {
    if (covered.has(r.segment)) push(taught.locations, r.segment, [r.hash, r.pack, r.offset, r.length]);
    else if (!unsent.has(r.segment) && riding++ < CARRIED) push(taught.locations, carrier, [r.hash, r.pack, r.offset, r.length]);
  }
  // The newest announcements first, as many as one part may carry in all (they are a reason to look, no more).
  const announcements = new LostAnnouncements(state.db).all().filter(([segment]) => covered.has(segment));
  for (const [segment, pack] of announcements.slice(0, MAX_LOST_PACKS_PER_SEGMENT)) push(taught.announced, segment, pack);
  const condemned = new CondemnedPacks(state.db);
  for (const key of keys) {
    const packs = condemned.announcedBy(key);
    if (packs.length > 0) taught.condemned.set(key, packs);
  }
  return taught;
}

/** The covered segments with what each taught, in parts within the writer targets; a segment is never split. */
function buildParts(keys: string[], taught: Taught, head: Omit<CheckpointPart, 'part' | 'segments' | 'versions' | 'chunks' | 'lostPacks'>): CheckpointPart[] {
  const parts: CheckpointPart[] = [];
  let part: CheckpointPart | undefined;
  let refs = 0;
  let bytes = 0;
  for (const key of keys) {
    const versions = taught.versions.get(key) ?? [];
    const locations = taught.locations.get(key) ?? [];
    const vRefs = versions.reduce((n, v) => n + v.chunks.length + v.parents.length, 0);
    const vBytes = versions.reduce((n, v) => n + JSON.stringify(v).length + 8, 0) + (locations.length + (taught.condemned.get(key)?.length ?? 0)) * 200 + key.length + 3;
    const full =
      part &&
      (part.segments.length >= SEGMENTS_PER_PART ||
        part.versions.length + versions.length > WRITER_TARGETS.versions ||
        part.chunks.length + locations.length > WRITER_TARGETS.locations ||
        refs + vRefs > WRITER_TARGETS.hashRefs ||
        bytes + vBytes > PART_JSON_BYTES);
    if (!part || full) {
      part = { ...head, part: parts.length, segments: [], versions: [], chunks: [], lostPacks: [] };
      parts.push(part);
      refs = 0;
      bytes = 0;
    }
    // Whole: a reader applies a bundled segment whole or not at all.
    const i = part.segments.length;
    part.segments.push(key);
    for (const v of versions) part.versions.push([i, v]);
    for (const c of locations) part.chunks.push([...c, i]);
    for (const pack of taught.announced.get(key) ?? []) part.lostPacks.push([i, pack]);
    for (const pack of taught.condemned.get(key) ?? []) (part.condemned ??= []).push([i, pack]);
    refs += vRefs;
    bytes += vBytes;
  }
  return parts;
}

/** The checkpoint `Library.checkpoint()` wrote (docs/PROTOCOL.md §3.9). */
export interface WrittenCheckpoint {
  /** The manifest's storage key (`checkpoints/<writer>/<cseq>-<covered>-<hash16>`). */
  key: string;
  /** Segments it covers: every segment this node had applied. */
  covered: number;
  /** Part objects written before the manifest. */
  parts: number;
  /** Bytes uploaded in all, the parts and the manifest, as stored. */
  bytes: number;
  /** Under a retention policy (format 4): versions it left out. */
  pruned?: number;
}

/**
 * Writes a checkpoint of what this node has applied. Returns undefined when it would cover no
 * segment. The checkpoint number moves on before anything is uploaded, so an attempt a crash
 * interrupted is never continued under the same name with other content.
 */
export async function writeCheckpoint(
  state: CheckpointWriteState,
  storage: Storage,
  codec: RepositoryCodec,
  policy: RoundPolicy,
  signal?: AbortSignal,
  retention?: CheckpointRetention,
): Promise<WrittenCheckpoint | undefined> {
  const { keys, frontier } = coveredSegments(state);
  if (keys.length === 0) return undefined;
  const writer = state.round.get('writer');
  const cseq = state.round.get('checkpointSeq') + 1;
  state.round.set('checkpointSeq', cseq);
  const head = { format: codec.format, repo: state.round.get('repo'), writer, cseq };
  const taught = taughtBy(state, policy, keys, retention);
  const parts = buildParts(keys, taught, head);
  if (retention && taught.pruning) spreadSuperseded(parts, supersededToName(state, taught.pruning, retention.asOf));
  let bytes = 0;
  const listed: CheckpointManifest['parts'] = [];
  for (const p of parts) {
    signal?.throwIfAborted();
    const encoded = encodePart(p, codec);
    // 'exists' can only be this very object: the key ends in the hash of these bytes.
    await storage.putIfAbsent(encoded.key, encoded.bytes);
    listed.push({ key: encoded.key, segments: p.segments.length });
    bytes += encoded.bytes.byteLength;
  }
  const manifest: CheckpointManifest = {
    syncacross: 'checkpoint',
    ...head,
    covered: keys.length,
    frontier,
    parts: listed,
    lostPacks: state.round.get('verifyPacks').slice(0, 10_000),
    ...(retention ? { retention: { setting: retention.setting.key, policy: retention.setting.policy, asOf: retention.asOf } } : {}),
  };
  const encoded = encodeManifest(manifest, codec);
  signal?.throwIfAborted();
  await storage.putIfAbsent(encoded.key, encoded.bytes);
  if (keys.length > state.round.get('checkpointCovered')) state.round.set('checkpointCovered', keys.length);
  // Only now that the checkpoint is there: until then the segments are the only record of what pruning would drop here.
  if (retention) pruneLocalState(state, { setting: retention.setting.key, policy: retention.setting.policy, asOf: retention.asOf }, policy.pruneVersions);
  const pruned = taught.pruning?.pruned.length;
  return { key: encoded.key, covered: keys.length, parts: parts.length, bytes: bytes + encoded.bytes.byteLength, ...(pruned !== undefined ? { pruned } : {}) };
}
