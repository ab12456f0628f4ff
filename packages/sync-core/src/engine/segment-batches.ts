/**
 * How a writer splits what it publishes into segments, so that every segment it writes is well
 * inside the limits readers enforce (remote-limits.ts): an honest segment is never refused.
 */
import { WRITER_TARGETS } from './remote-limits.js';
import type { HashedVersion } from './version.js';

/** Locations per segment, and what the versions of one segment may take of the JSON budget. */
export const LOCATIONS_PER_SEGMENT = WRITER_TARGETS.locations;
// ~160 bytes per location in JSON: what is left of the budget goes to versions.
const VERSION_BYTES = WRITER_TARGETS.jsonBytes - LOCATIONS_PER_SEGMENT * 200;

/** Pending versions in batches, each within the versions, hash-reference and size targets (at least one batch, maybe empty). */
export function versionBatches(pending: HashedVersion[]): HashedVersion[][] {
  const batches: HashedVersion[][] = [[]];
  let refs = 0;
  let bytes = 0;
  for (const v of pending) {
    const vRefs = v.chunks.length + v.parents.length;
    const vBytes = JSON.stringify(v).length;
    const current = batches[batches.length - 1]!;
    if (current.length > 0 && (current.length >= WRITER_TARGETS.versions || refs + vRefs > LOCATIONS_PER_SEGMENT || bytes + vBytes > VERSION_BYTES)) {
      batches.push([v]);
      refs = vRefs;
      bytes = vBytes;
    } else {
      current.push(v);
      refs += vRefs;
      bytes += vBytes;
    }
  }
  return batches;
}
