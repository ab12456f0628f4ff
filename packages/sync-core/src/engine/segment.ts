/**
 * Segments: the write-once log records of one writer. A segment carries a batch of versions and
 * the location of every chunk it introduced. Its key ends in a hash of its bytes, so on a
 * backend without atomic create two different segments can never share a key, and a reader can
 * verify what it fetched.
 *
 *   log/<writer>/<seq, 10 digits>-<first 16 hex of sha256(bytes)>
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { StorageError } from '../storage/errors.js';
import { sha256 } from './hashing.js';
import type { Version } from './version.js';

export const SEGMENT_FORMAT = 1;

/** [chunkHash, packKey, offset, length] */
export type ChunkLocation = [string, string, number, number];

export interface Segment {
  format: number;
  repo: string;
  writer: string;
  seq: number;
  /** Key of this writer's previous segment (a chain the reader can check), or null for the first. */
  prev: string | null;
  versions: Version[];
  chunks: ChunkLocation[];
  /**
   * Packs this writer found missing on the remote (storage rolled back): readers forget locations
   * in them, and re-upload chunks of those packs that they still hold on disk. Optional.
   */
  lostPacks?: string[];
}

export interface SegmentKey {
  key: string;
  writer: string;
  seq: number;
  hash: string;
}

const PACK_KEY = /^packs\/[0-9a-f]{64}$/;
const KEY = /^log\/([A-Za-z0-9_.-]+)\/(\d{10})-([0-9a-f]{16})$/;

export function parseSegmentKey(key: string): SegmentKey | undefined {
  const m = KEY.exec(key);
  return m ? { key, writer: m[1]!, seq: Number(m[2]), hash: m[3]! } : undefined;
}

export function encodeSegment(segment: Segment): { key: string; bytes: Uint8Array } {
  const bytes = gzipSync(JSON.stringify(segment), { level: 6 });
  const key = `log/${segment.writer}/${String(segment.seq).padStart(10, '0')}-${sha256(bytes).slice(0, 16)}`;
  return { key, bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
}

/** Verifies and decodes a fetched segment; anything off is `Corrupt` and nothing of it is used. */
/** `repo`: the repository id this segment must name (or a predicate over ids: aliases after a racing init). */
export function decodeSegment(key: SegmentKey, bytes: Uint8Array, repo: string | ((id: string) => boolean)): Segment {
  if (sha256(bytes).slice(0, 16) !== key.hash) {
    throw new StorageError('Corrupt', `segment ${key.key} does not match its hash (truncated or altered on the remote)`);
  }
  let segment: Segment;
  try {
    segment = JSON.parse(gunzipSync(bytes).toString('utf8')) as Segment;
  } catch (e) {
    throw new StorageError('Corrupt', `segment ${key.key} cannot be decoded: ${(e as Error).message}`, { cause: e });
  }
  if (segment.format !== SEGMENT_FORMAT) throw new StorageError('Corrupt', `segment ${key.key} has format ${segment.format}; this syncacross reads ${SEGMENT_FORMAT} (upgrade?)`);
  const ours = typeof repo === 'string' ? segment.repo === repo : repo(segment.repo);
  if (!ours) throw new StorageError('Corrupt', `segment ${key.key} belongs to repository ${segment.repo}, not ${typeof repo === 'string' ? repo : 'this one'}`);
  if (segment.writer !== key.writer || segment.seq !== key.seq) throw new StorageError('Corrupt', `segment ${key.key} names writer ${segment.writer} #${segment.seq}`);
  if (!Array.isArray(segment.versions) || !Array.isArray(segment.chunks) || (segment.lostPacks !== undefined && !(Array.isArray(segment.lostPacks) && segment.lostPacks.every((p) => typeof p === 'string' && PACK_KEY.test(p))))) throw new StorageError('Corrupt', `segment ${key.key} is malformed`);
  return segment;
}
