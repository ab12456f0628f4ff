/**
 * Checkpoint objects as stored: encoded like a segment (format 1 gzip'd JSON, format 2 a frame,
 * sealed in an encrypted repository with the object's key as associated data), and checked on
 * the way in like one (docs/PROTOCOL.md §3.9): the hash in the key against the bytes, decoding
 * within the segment limits, a strict schema, the repository, and the writer, number and part
 * against the key. Anything off is `Corrupt`, and nothing of that checkpoint is used.
 */
import { z } from 'zod';
import { StorageError } from '../../storage/errors.js';
import { sha256 } from '../../model/hashing.js';
import type { RepositoryCodec } from '../../codec/repository-codec.js';
import * as L from '../remote-limits.js';
import { countJsonValues } from '../segment.js';
import { PACK_KEY, withinLargestPack, SEGMENT_KEY, segmentSchemas } from '../segment-schema.js';
import { lazily } from '../../model/lazily.js';
import { checkRetentionPolicy } from '../../model/retention.js';
import { frontierOf, manifestStem, partStem, type CheckpointManifest, type CheckpointPart, type ManifestKey } from './format.js';

const PART_KEY = /^checkpoint-parts\/[A-Za-z0-9_.-]+\/\d{10}\/\d{6}-[0-9a-f]{16}$/;

/** The manifest's and the part's schemas, built at their first use (model/lazily.ts). */
const checkpointSchemas = lazily(() => {
  const { count, writerId, versionSchema, locationItems } = segmentSchemas();
  const repoId = z.string().regex(/^[0-9a-f]{32}$/);

  const manifestSchema = z.strictObject({
    syncacross: z.literal('checkpoint'),
    format: z.union([z.literal(1), z.literal(2)]),
    repo: repoId,
    writer: writerId,
    cseq: count.min(1),
    covered: count.min(1),
    frontier: z.record(writerId, count.min(1)),
    parts: z
      .array(z.strictObject({ key: z.string().regex(PART_KEY), segments: count.min(1).max(L.MAX_SEGMENTS_PER_PART) }))
      .min(1)
      .max(L.MAX_CHECKPOINT_PARTS),
    lostPacks: z.array(z.string().regex(PACK_KEY)).max(L.MAX_LOST_PACKS_PER_SEGMENT),
    retention: z.strictObject({ setting: z.string().max(300), policy: z.unknown(), asOf: count }).optional(),
  });

  const partSchema = z.strictObject({
    format: z.union([z.literal(1), z.literal(2)]),
    repo: repoId,
    writer: writerId,
    cseq: count.min(1),
    part: count,
    segments: z.array(z.string().regex(SEGMENT_KEY)).min(1).max(L.MAX_SEGMENTS_PER_PART),
    versions: z.array(z.tuple([count, versionSchema])).max(L.MAX_VERSIONS_PER_SEGMENT),
    chunks: z.array(z.tuple([...locationItems, count]).refine(withinLargestPack, 'reaches past the largest pack')).max(L.MAX_CHUNK_LOCATIONS_PER_SEGMENT),
    lostPacks: z.array(z.tuple([count, z.string().regex(PACK_KEY)])).max(L.MAX_LOST_PACKS_PER_SEGMENT),
    condemned: z
      .array(z.tuple([count, z.string().regex(PACK_KEY)]))
      .max(L.MAX_CHUNK_LOCATIONS_PER_SEGMENT)
      .optional(),
    superseded: z
      .array(z.tuple([z.string().regex(/^[0-9a-f]{16}$/), count]))
      .max(L.MAX_SUPERSEDED_PER_PART)
      .optional(),
  });
  return { manifestSchema, partSchema };
});

const corrupt = (key: string, why: string) => new StorageError('Corrupt', `checkpoint object ${key} ${why}`);

function store(value: object, stem: string, codec: RepositoryCodec): { key: string; bytes: Uint8Array } {
  const bytes = codec.storeSegment(JSON.stringify(value), stem);
  return { key: `${stem}-${sha256(bytes).slice(0, 16)}`, bytes };
}

/** The JSON of a stored object, verified against the hash in its key and decoded within the segment limits. */
function load(key: string, hash: string, stem: string, bytes: Uint8Array, codec: RepositoryCodec): unknown {
  if (bytes.byteLength > L.MAX_SEGMENT_BYTES) throw corrupt(key, `is over ${L.MAX_SEGMENT_BYTES} bytes`);
  if (sha256(bytes).slice(0, 16) !== hash) throw corrupt(key, 'does not match its hash (still being written, truncated or altered on the remote)');
  let json: Uint8Array;
  try {
    json = codec.loadSegment(bytes, stem, L.MAX_SEGMENT_JSON_BYTES);
  } catch (e) {
    throw corrupt(key, `cannot be decoded: ${(e as Error).message}`);
  }
  if (countJsonValues(json, L.MAX_SEGMENT_JSON_VALUES) > L.MAX_SEGMENT_JSON_VALUES) throw corrupt(key, `has more than ${L.MAX_SEGMENT_JSON_VALUES} JSON values`);
  try {
    return JSON.parse(Buffer.from(json.buffer, json.byteOffset, json.byteLength).toString('utf8'));
  } catch (e) {
    throw corrupt(key, `is not JSON: ${(e as Error).message}`);
  }
}

function checked<T>(key: string, schema: z.ZodType<T>, parsed: unknown): T {
  const result = schema.safeParse(parsed);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw corrupt(key, `is malformed: ${issue.path.join('.') || 'object'}: ${issue.message}`);
}

export function encodeManifest(m: CheckpointManifest, codec: RepositoryCodec): { key: string; bytes: Uint8Array } {
  return store(m, manifestStem(m.writer, m.cseq, m.covered), codec);
}

export function encodePart(p: CheckpointPart, codec: RepositoryCodec): { key: string; bytes: Uint8Array } {
  return store(p, partStem(p.writer, p.cseq, p.part), codec);
}

/** A manifest read from the remote, checked whole (its parts are checked as they are read). */
export function decodeManifest(k: ManifestKey, bytes: Uint8Array, repoIds: ReadonlySet<string>, codec: RepositoryCodec): CheckpointManifest {
  const m = checked(k.key, checkpointSchemas().manifestSchema, load(k.key, k.hash, manifestStem(k.writer, k.cseq, k.covered), bytes, codec)) as CheckpointManifest;
  if (m.format !== codec.format) throw corrupt(k.key, `has format ${m.format}; this repository is format ${codec.format}`);
  if (!repoIds.has(m.repo)) throw corrupt(k.key, `belongs to repository ${m.repo}`);
  if (m.writer !== k.writer || m.cseq !== k.cseq || m.covered !== k.covered) throw corrupt(k.key, `names writer ${m.writer} #${m.cseq} covering ${m.covered}`);
  if (m.retention) {
    const policy = checkRetentionPolicy(m.retention.policy);
    if (typeof policy === 'string') throw corrupt(k.key, `has a retention policy that is not one: ${policy}`);
    m.retention.policy = policy;
  }
  if (Object.keys(m.frontier).length > L.MAX_FRONTIER_WRITERS) throw corrupt(k.key, `names more than ${L.MAX_FRONTIER_WRITERS} writers`);
  const bundled = m.parts.reduce((n, p) => n + p.segments, 0);
  const claimed = Object.values(m.frontier).reduce((n, s) => n + s, 0);
  // Every covered segment is in one part, and every writer's prefix has a segment at each number
  // (more than one where a writer forked): so at least one per number, and the parts' total.
  if (bundled !== m.covered || claimed > m.covered) throw corrupt(k.key, `covers ${m.covered} segments but its parts bundle ${bundled} and its frontier spans ${claimed}`);
  m.parts.forEach((p, i) => {
    const stem = partStem(m.writer, m.cseq, i);
    if (!p.key.startsWith(`${stem}-`)) throw corrupt(k.key, `lists part ${p.key} where part ${i} of this checkpoint belongs`);
  });
  return m;
}

/** A part read from the remote: checked against its manifest (number, segment count, frontier). */
export function decodePart(m: CheckpointManifest, index: number, bytes: Uint8Array, repoIds: ReadonlySet<string>, codec: RepositoryCodec): CheckpointPart {
  const { key, segments } = m.parts[index]!;
  const p = checked(key, checkpointSchemas().partSchema, load(key, key.slice(-16), partStem(m.writer, m.cseq, index), bytes, codec)) as CheckpointPart;
  if (p.format !== codec.format || !repoIds.has(p.repo) || p.writer !== m.writer || p.cseq !== m.cseq || p.part !== index)
    throw corrupt(key, `does not belong to checkpoint ${m.writer} #${m.cseq} as part ${index}`);
  if (p.segments.length !== segments) throw corrupt(key, `bundles ${p.segments.length} segments, its manifest says ${segments}`);
  for (const s of p.segments) {
    const [, writer, seq] = /^log\/(.+)\/(\d{10})-/.exec(s)!;
    if (!(Number(seq) <= frontierOf(m, writer!))) throw corrupt(key, `bundles ${s}, beyond the checkpoint's frontier`);
  }
  let refs = 0;
  for (const [i, v] of p.versions) {
    if (i >= p.segments.length) throw corrupt(key, 'attributes a version to a segment it does not bundle');
    refs += v.chunks.length + v.parents.length;
  }
  if (refs > L.MAX_HASH_REFS_PER_SEGMENT) throw corrupt(key, `has more than ${L.MAX_HASH_REFS_PER_SEGMENT} chunk and parent hashes`);
  for (const c of p.chunks) if (c[4] >= p.segments.length) throw corrupt(key, 'attributes a location to a segment it does not bundle');
  for (const [i] of [...p.lostPacks, ...(p.condemned ?? [])]) if (i >= p.segments.length) throw corrupt(key, 'attributes an announcement to a segment it does not bundle');
  return p;
}
