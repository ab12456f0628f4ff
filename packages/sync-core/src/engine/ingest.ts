/**
 * Fetching and applying remote segments. Every fetched segment is verified (size, hash, decoding
 * within limits, schema, repository, writer) before anything of it is used. What failed is
 * sorted by whether it can still change:
 * - `corrupt`: the bytes match the hash in the key (so they are final) and are refused, or the
 *   object is over the size limit: refused whole, reported; re-checked only if it changes;
 * - `torn`: the bytes do not match the key's hash, or the listed object reads as `NotFound`. On
 *   a mount or a store that writes in place, a name is visible before its content is complete
 *   and listings lag reads: retried on later rounds (retry-ledger.ts), condemned only if it
 *   persists.
 */
import type { RepositoryCodec } from '../codec/repository-codec.js';
import { MARKER_PREFIX } from './repository.js';
import type { Storage } from '../storage/contract.js';
import { isStorageError } from '../storage/errors.js';
import { objectExists } from '../storage/listing.js';
import { checkAborted } from '../model/abort.js';
import { sha256 } from '../model/hashing.js';
import { MAX_SEGMENT_BYTES } from './remote-limits.js';
import { decodeSegment, type Segment, type SegmentKey } from './segment.js';
import { withHash, type HashedVersion } from '../model/version.js';

interface FetchedSegment {
  key: SegmentKey;
  segment: Segment;
  versions: HashedVersion[];
}

export interface FetchOutcome {
  fetched: FetchedSegment[];
  corrupt: { key: string; reason: string }[];
  torn: { key: string; reason: string }[];
}

/** A listed segment, with what the listing says of it (to notice when it changes). */
export type ListedSegment = SegmentKey & { size?: number; etag?: string };

export async function fetchSegments(storage: Storage, keys: ListedSegment[], repoIds: string[], codec: RepositoryCodec, concurrency = 8, signal?: AbortSignal): Promise<FetchOutcome> {
  const out: FetchOutcome = { fetched: [], corrupt: [], torn: [] };
  const aliases = new Set(repoIds);
  let next = 0;
  async function worker() {
    while (next < keys.length) {
      checkAborted(signal);
      const key = keys[next++]!;
      if (key.size !== undefined && key.size > MAX_SEGMENT_BYTES) {
        // Not fetched at all: its size alone would cost the memory the limits protect.
        out.corrupt.push({ key: key.key, reason: `segment ${key.key} is listed at ${key.size} bytes, over the limit of ${MAX_SEGMENT_BYTES}` });
        continue;
      }
      try {
        // A ranged read of one byte past the limit: a listing that understates the size cannot
        // make us hold more than the limit.
        const bytes = await storage.get(key.key, { range: { offset: 0, length: MAX_SEGMENT_BYTES + 1 } });
        if (bytes.byteLength <= MAX_SEGMENT_BYTES && sha256(bytes).slice(0, 16) !== key.hash) {
          out.torn.push({ key: key.key, reason: `segment ${key.key} does not match its hash (still being written, truncated or altered on the remote)` });
          continue;
        }
        // A segment may name an alias id that this round's listing of repo/ did not show (a
        // lagging or lossy listing): on that (rare) mismatch, ask for the repo object directly.
        let unknownRepo: string | undefined;
        const accept = (id: string) => aliases.has(id) || ((unknownRepo = id), false);
        let segment: Segment;
        try {
          segment = decodeSegment(key, bytes, accept, codec);
        } catch (e) {
          if (!unknownRepo || !/^[0-9a-f]{32}$/.test(unknownRepo) || !(await objectExists(storage, `${MARKER_PREFIX[codec.format]}${unknownRepo}`))) throw e;
          aliases.add(unknownRepo);
          segment = decodeSegment(key, bytes, accept, codec);
        }
        out.fetched.push({ key, segment, versions: segment.versions.map(withHash) });
      } catch (e) {
        if (isStorageError(e, 'NotFound')) out.torn.push({ key: key.key, reason: `segment ${key.key} is listed but cannot be read yet` });
        else if (isStorageError(e, 'Corrupt')) out.corrupt.push({ key: key.key, reason: e.message });
        else throw e;
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, keys.length) }, worker));
  out.fetched.sort((a, b) => (a.key.key < b.key.key ? -1 : 1));
  return out;
}
