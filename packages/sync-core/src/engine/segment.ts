/**
 * Segments: the write-once log records of one writer. A segment carries a batch of versions and
 * the location of every chunk it introduced. Its key ends in a hash of its bytes, so on a
 * backend without atomic create two different segments can never share a key, and a reader can
 * verify what it fetched.
 *
 *   log/<writer>/<seq, 10 digits>-<first 16 hex of sha256(bytes)>
 */
import { StorageError } from '../storage/errors.js';
import { sha256 } from '../model/hashing.js';
import { segmentStem } from '../model/segment-key.js';
import { MAX_SEGMENT_BYTES, MAX_SEGMENT_JSON_BYTES, MAX_SEGMENT_JSON_VALUES } from './remote-limits.js';
import { checkSegmentShape } from './segment-schema.js';
import type { ChunkLocation } from '../model/chunk-location.js';
import { SEGMENT_FORMAT, type Segment, type SegmentKey } from './segment-format.js';
import { FORMAT_1, type RepositoryCodec } from '../codec/repository-codec.js';

export { SEGMENT_FORMAT, type ChunkLocation, type Segment, type SegmentKey };

export { parseSegmentKey } from '../model/segment-key.js';

/** The key and stored bytes of a segment, in the repository's format (`codec`; format 1 when omitted). */
export function encodeSegment(segment: Segment, codec: RepositoryCodec = FORMAT_1): { key: string; bytes: Uint8Array } {
  const stem = segmentStem(segment.writer, segment.seq);
  const bytes = codec.storeSegment(JSON.stringify(segment), stem);
  return { key: `${stem}-${sha256(bytes).slice(0, 16)}`, bytes };
}

/**
 * Verifies and decodes a fetched segment; anything off is `Corrupt` and nothing of it is used.
 * Memory is bounded whatever the bytes: the stored size, the gunzipped size (decompression
 * stops at the cap) and the number of JSON values (counted before parsing) are capped, then the
 * parsed segment is checked against the schema (segment-schema.ts).
 * `repo`: the repository id this segment must name (or a predicate over ids: aliases after a racing init).
 */
export function decodeSegment(key: SegmentKey, bytes: Uint8Array, repo: string | ((id: string) => boolean), codec: RepositoryCodec = FORMAT_1): Segment {
  if (bytes.byteLength > MAX_SEGMENT_BYTES) throw new StorageError('Corrupt', `segment ${key.key} is ${bytes.byteLength} bytes, over the limit of ${MAX_SEGMENT_BYTES}`);
  if (sha256(bytes).slice(0, 16) !== key.hash) {
    throw new StorageError('Corrupt', `segment ${key.key} does not match its hash (truncated or altered on the remote)`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(inflate(codec.loadSegment(bytes, segmentStem(key.writer, key.seq), MAX_SEGMENT_JSON_BYTES)));
  } catch (e) {
    const why = (e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' ? `it decompresses to more than ${MAX_SEGMENT_JSON_BYTES} bytes` : (e as Error).message;
    throw new StorageError('Corrupt', `segment ${key.key} cannot be decoded: ${why}`, { cause: e });
  }
  const format = (parsed as { format?: unknown } | null)?.format;
  if (format !== codec.format)
    throw new StorageError(
      'Corrupt',
      `segment ${key.key} has format ${JSON.stringify(format)}; this repository is format ${codec.format}${typeof format === 'number' && format > SEGMENT_FORMAT ? ' (written by a newer syncacross: upgrade)' : ''}`,
    );
  const segment = checkSegmentShape(key.key, parsed);
  const ours = typeof repo === 'string' ? segment.repo === repo : repo(segment.repo);
  if (!ours) throw new StorageError('Corrupt', `segment ${key.key} belongs to repository ${segment.repo}, not ${typeof repo === 'string' ? repo : 'this one'}`);
  if (segment.writer !== key.writer || segment.seq !== key.seq) throw new StorageError('Corrupt', `segment ${key.key} names writer ${segment.writer} #${segment.seq}`);
  return segment;
}

/** The segment's JSON text, within the limits. (Its own function: the buffer is garbage before parsing starts.) */
function inflate(json: Uint8Array): string {
  if (countJsonValues(json, MAX_SEGMENT_JSON_VALUES) > MAX_SEGMENT_JSON_VALUES) throw new Error(`more than ${MAX_SEGMENT_JSON_VALUES} JSON values`);
  return Buffer.from(json.buffer, json.byteOffset, json.byteLength).toString('utf8');
}

/**
 * Counts JSON values (every `{`, `[` and every `,` outside strings, a bound on what JSON.parse
 * would allocate), stopping once past `limit`. One pass over the bytes, no allocation.
 */
export function countJsonValues(json: Uint8Array, limit: number): number {
  let n = 0;
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const c = json[i]!;
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped byte
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b || c === 0x2c) {
      if (++n > limit) return n;
    }
  }
  return n;
}
