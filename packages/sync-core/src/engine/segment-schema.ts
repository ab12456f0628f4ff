/**
 * The schema every segment read from the remote must satisfy, checked once, right after
 * decoding and before anything of it is used (docs/PROTOCOL.md §3.2, limits in §3.4). A
 * segment that fails is refused whole: a hostile or buggy writer can cost its own segment, never
 * another node's sync.
 *
 * zod (already the CLI's validator, maintained, no dependencies) states the shape declaratively;
 * the checks zod cannot express (UTF-8 byte lengths, path safety, size = sum of chunk lengths)
 * follow it. Objects are strict: an unknown field would change a version's hash unseen.
 */
import { z } from 'zod';
import { libraryPathProblem } from '../local/paths.js';
import type { ChunkSource } from '../local/materialize.js';
import { StorageError } from '../storage/errors.js';
import * as L from './remote-limits.js';
import type { Segment } from './segment-format.js';
import { lazily } from '../model/lazily.js';

const HASH = /^[0-9a-f]{64}$/;
export const PACK_KEY = /^packs\/[0-9a-f]{64}$/;
export const WRITER_ID = /^[A-Za-z0-9_.-]+$/;
export const SEGMENT_KEY = /^log\/[A-Za-z0-9_.-]+\/\d{10}-[0-9a-f]{16}$/;

/** Why a library path read from the remote is refused here, or undefined. */
function remotePathProblem(path: string): string | undefined {
  const problem = libraryPathProblem(path);
  if (problem) return problem;
  if (Buffer.byteLength(path) > L.MAX_PATH_BYTES) return `longer than ${L.MAX_PATH_BYTES} bytes`;
  for (const name of path.split('/')) if (name.length > L.MAX_NAME_UNITS) return `a name longer than ${L.MAX_NAME_UNITS} characters`;
  return undefined;
}

export const withinLargestPack = ([, , offset, length]: readonly [string, string, number, number, ...unknown[]]) => offset + length <= L.MAX_PACK_BYTES;

/**
 * The schemas of a segment and its parts (a checkpoint part reuses them), built at their first
 * use (model/lazily.ts).
 */
export const segmentSchemas = lazily(() => {
  const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
  const hash = z.string().regex(HASH, 'not a sha256 hex digest');
  const writerId = z.string().max(L.MAX_WRITER_ID_LENGTH).regex(WRITER_ID, 'not a writer id');

  const versionSchema = z
    .strictObject({
      path: z.string().max(L.MAX_PATH_BYTES),
      parents: z.array(hash).max(L.MAX_HASH_REFS_PER_SEGMENT),
      hlc: count,
      writer: writerId,
      deleted: z.literal(true).optional(),
      kind: z.enum(['file', 'dir', 'sqlite']),
      size: count,
      mtime: z.number().int().min(-L.MAX_ABS_MTIME_MS).max(L.MAX_ABS_MTIME_MS),
      exec: z.literal(true).optional(),
      chunks: z.array(hash).max(L.MAX_HASH_REFS_PER_SEGMENT),
    })
    .superRefine((v, ctx) => {
      const problem = remotePathProblem(v.path);
      if (problem) ctx.addIssue({ code: 'custom', path: ['path'], message: `hostile or invalid path ${JSON.stringify(v.path.slice(0, 80))}: ${problem}` });
      if ((v.deleted || v.kind === 'dir') && (v.chunks.length > 0 || v.size !== 0)) ctx.addIssue({ code: 'custom', message: 'a folder or a delete with content' });
      if (v.chunks.length === 0 && v.size !== 0) ctx.addIssue({ code: 'custom', path: ['size'], message: `claims ${v.size} bytes with no chunks` });
    });

  // A location's fields: chunk hash, pack key, offset, length (a checkpoint adds one, so they are shared).
  const locationItems = [hash, z.string().regex(PACK_KEY, 'not a pack key'), count.max(L.MAX_PACK_BYTES), z.number().int().min(1).max(L.MAX_CHUNK_BYTES)] as const;
  const locationSchema = z.tuple(locationItems).refine(withinLargestPack, 'reaches past the largest pack');

  const segmentSchema = z.strictObject({
    format: z.union([z.literal(1), z.literal(2)]),
    repo: z.string().regex(/^[0-9a-f]{32}$/),
    writer: writerId,
    seq: count.min(1),
    prev: z.string().regex(SEGMENT_KEY).nullable(),
    versions: z.array(versionSchema).max(L.MAX_VERSIONS_PER_SEGMENT),
    chunks: z.array(locationSchema).max(L.MAX_CHUNK_LOCATIONS_PER_SEGMENT),
    lostPacks: z.array(z.string().regex(PACK_KEY)).max(L.MAX_LOST_PACKS_PER_SEGMENT).optional(),
    condemned: z.array(z.string().regex(PACK_KEY)).max(L.MAX_LOST_PACKS_PER_SEGMENT).optional(),
  });
  return { count, writerId, versionSchema, locationItems, segmentSchema };
});

const corrupt = (key: string, why: string) => new StorageError('Corrupt', `segment ${key} is malformed: ${why}`);

/** Checks a parsed segment against the schema and the limits; throws `Corrupt` naming the first problem. */
export function checkSegmentShape(key: string, parsed: unknown): Segment {
  // Cheap count checks first: a segment with a million versions is refused before zod walks it.
  const p = parsed as Partial<Record<keyof Segment, unknown>> | null;
  if (typeof p !== 'object' || p === null || Array.isArray(p)) throw corrupt(key, 'not a JSON object');
  if (Array.isArray(p.versions) && p.versions.length > L.MAX_VERSIONS_PER_SEGMENT) throw corrupt(key, `more than ${L.MAX_VERSIONS_PER_SEGMENT} versions`);
  if (Array.isArray(p.chunks) && p.chunks.length > L.MAX_CHUNK_LOCATIONS_PER_SEGMENT) throw corrupt(key, `more than ${L.MAX_CHUNK_LOCATIONS_PER_SEGMENT} chunk locations`);
  const result = segmentSchemas().segmentSchema.safeParse(parsed);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw corrupt(key, `${issue.path.join('.') || 'segment'}: ${issue.message}`);
  }
  const segment = result.data as Segment;
  let refs = 0;
  for (const v of segment.versions) refs += v.chunks.length + v.parents.length;
  if (refs > L.MAX_HASH_REFS_PER_SEGMENT) throw corrupt(key, `more than ${L.MAX_HASH_REFS_PER_SEGMENT} chunk and parent hashes`);
  // In format 2 a location's length is what is stored (compressed, sealed), not the chunk's own
  // length: sizes are then judged at materialization, against the verified chunks.
  const problem = segment.format === 1 ? sizeProblemIn(segment) : undefined;
  if (problem) throw corrupt(key, problem);
  return segment;
}

/** A chunk with two lengths, or a version whose size is not the sum of its chunks' lengths (where this segment knows them). */
function sizeProblemIn(segment: Segment): string | undefined {
  const lengths = new Map<string, number>();
  for (const [h, , , length] of segment.chunks) {
    const had = lengths.get(h);
    if (had !== undefined && had !== length) return `chunk ${h.slice(0, 12)} is given two lengths`;
    lengths.set(h, length);
  }
  for (const v of segment.versions) {
    const problem = sizeProblem(v, (h) => lengths.get(h));
    if (problem) return `${JSON.stringify(v.path)}: ${problem}`;
  }
  return undefined;
}

/**
 * Whether a version's size disagrees with its chunks' lengths. Only judged when every length is
 * known (`lengthOf`): locations may live in another segment, and then materialization judges.
 */
export function sizeProblem(v: { size: number; chunks: string[] }, lengthOf: (hash: string) => number | undefined): string | undefined {
  let sum = 0;
  for (const h of v.chunks) {
    const length = lengthOf(h);
    if (length === undefined) return undefined;
    sum += length;
  }
  return sum === v.size ? undefined : `claims ${v.size} bytes but its chunks hold ${sum}`;
}

/**
 * Wraps a chunk source so that a version whose size is not the sum of its (verified) chunks
 * fails before its last chunk is written: checked at materialization, where the chunks' lengths
 * may come from other segments than the version. A per-file error, not a failed round.
 */
export function withSizeCheck(v: { size: number; chunks: string[] }, from: ChunkSource): ChunkSource {
  let got = 0;
  let n = 0;
  return {
    release: from.release && ((chunk) => from.release!(chunk)),
    async get(hash) {
      const bytes = await from.get(hash);
      got += bytes.byteLength;
      if (++n === v.chunks.length && got !== v.size) throw new StorageError('Corrupt', `its version claims ${v.size} bytes but its chunks hold ${got}`);
      return bytes;
    },
  };
}
