/** A listed segment read and decoded for a collection's checks, within the segment size limit (throws Corrupt, NotFound, …). */
import type { RepositoryCodec } from '../../codec/repository-codec.js';
import type { Storage } from '../../storage/contract.js';
import { MAX_SEGMENT_BYTES } from '../remote-limits.js';
import { decodeSegment, type Segment, type SegmentKey } from '../segment.js';

export async function readSegment(storage: Storage, codec: RepositoryCodec, repoIds: ReadonlySet<string>, key: SegmentKey): Promise<Segment> {
  return decodeSegment(key, await storage.get(key.key, { range: { offset: 0, length: MAX_SEGMENT_BYTES + 1 } }), (id) => repoIds.has(id), codec);
}
