/**
 * How a writer splits what it publishes into segments, so that every segment it writes is well
 * inside the limits readers enforce (remote-limits.ts): an honest segment is never refused.
 */
import { WRITER_TARGETS } from './remote-limits.js';
import { sizeProblem } from './segment-schema.js';
import type { ChunkLocation } from '../model/chunk-location.js';
import type { HashedVersion } from '../model/version.js';

/** Locations per segment, and what the versions of one segment may take of the JSON budget. */
export const LOCATIONS_PER_SEGMENT = WRITER_TARGETS.locations;
// ~160 bytes per location in JSON: what is left of the budget goes to versions.
const VERSION_BYTES = WRITER_TARGETS.jsonBytes - LOCATIONS_PER_SEGMENT * 200;

/** A batch of versions for one segment, and whether any version follows it. */
export interface VersionBatch {
  versions: HashedVersion[];
  last: boolean;
}

/**
 * Versions, read a page at a time (local/pending-versions.ts), in batches each within the
 * versions, hash-reference and size targets: at least one batch, maybe empty (a round that sends
 * only locations). Only the batch being filled is held, never the whole list, nor the next batch:
 * a batch is known not to be the last once a version past it has been read. `skip`: versions to
 * leave out (a commit's held-back ones).
 */
export function* versionBatches(pages: Iterable<HashedVersion[]>, skip: (v: HashedVersion) => boolean = () => false): Generator<VersionBatch> {
  let current: HashedVersion[] = [];
  let refs = 0;
  let bytes = 0;
  for (const page of pages) {
    for (const v of page) {
      if (skip(v)) continue;
      const vRefs = v.chunks.length + v.parents.length;
      const vBytes = JSON.stringify(v).length;
      if (current.length > 0 && (current.length >= WRITER_TARGETS.versions || refs + vRefs > LOCATIONS_PER_SEGMENT || bytes + vBytes > VERSION_BYTES)) {
        yield { versions: current, last: false };
        [current, refs, bytes] = [[], 0, 0];
      }
      current.push(v);
      refs += vRefs;
      bytes += vBytes;
    }
  }
  yield { versions: current, last: true };
}

/** How many versions `pages` hold and how many segments a commit would publish them in: the dry run's figures. */
export function countBatches(pages: Iterable<HashedVersion[]>): { versions: number; segments: number } {
  let versions = 0;
  let segments = 0;
  for (const batch of versionBatches(pages)) {
    segments++;
    versions += batch.versions.length;
  }
  return { versions, segments };
}

/**
 * What of a batch may go into one segment without the segment being refused (segment-schema.ts):
 * a chunk given two lengths, or a version whose size is not the sum of its chunks' lengths
 * there, would make readers refuse the whole segment. Honest data never does; data a hostile
 * writer slipped in (a location with a wrong length, a version lying about its size) can reach
 * a batch when this node republishes another writer's lost segment (§7.1). Such locations are
 * left out (they stay unpublished), and such versions are left out of this segment (`dropped`:
 * the caller marks them done, so they are not retried for ever).
 */
export function publishable(batch: HashedVersion[], chunks: ChunkLocation[], format: 1 | 2 = 1): { versions: HashedVersion[]; chunks: ChunkLocation[]; dropped: HashedVersion[] } {
  // Format 2 locations give stored lengths, which readers do not compare with sizes.
  if (format === 2) return { versions: batch, chunks, dropped: [] };
  const lengths = new Map<string, Set<number>>();
  for (const c of chunks) lengths.set(c[0], (lengths.get(c[0]) ?? new Set()).add(c[3]));
  const kept = chunks.filter((c) => lengths.get(c[0])!.size === 1);
  const lengthOf = (h: string) => (lengths.get(h)?.size === 1 ? [...lengths.get(h)!][0] : undefined);
  const versions: HashedVersion[] = [];
  const dropped: HashedVersion[] = [];
  for (const v of batch) (sizeProblem(v, lengthOf) ? dropped : versions).push(v);
  return { versions, chunks: kept, dropped };
}
