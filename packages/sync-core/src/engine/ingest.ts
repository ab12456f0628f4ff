/**
 * Fetching and applying remote segments. Every fetched segment is verified (hash, format,
 * repository, writer, paths, version hashes) before anything of it is used; a corrupt one is
 * recorded and reported, never applied, and the rest of the round goes on. A segment that is
 * listed but not yet readable (stale read) is simply tried again next round.
 */
import type { Storage } from '../storage/contract.js';
import { isStorageError, StorageError } from '../storage/errors.js';
import { objectExists } from '../storage/listing.js';
import { libraryPathProblem } from '../local/paths.js';
import { checkAborted } from './errors.js';
import { decodeSegment, type Segment, type SegmentKey } from './segment.js';
import { withHash, type HashedVersion } from './version.js';

export interface FetchedSegment {
  key: SegmentKey;
  segment: Segment;
  versions: HashedVersion[];
}

export interface FetchOutcome {
  fetched: FetchedSegment[];
  corrupt: { key: string; reason: string }[];
  notYetReadable: string[];
}

function validate(segment: Segment, key: string): HashedVersion[] {
  return segment.versions.map((v) => {
    const problem = libraryPathProblem(v.path);
    if (problem) throw new StorageError('Corrupt', `segment ${key} names a hostile or invalid path ${JSON.stringify(v.path)}: ${problem}`);
    if (!Array.isArray(v.chunks) || !Array.isArray(v.parents) || typeof v.hlc !== 'number') throw new StorageError('Corrupt', `segment ${key} has a malformed version`);
    return withHash(v);
  });
}

export async function fetchSegments(storage: Storage, keys: SegmentKey[], repoIds: string[], concurrency = 8, signal?: AbortSignal): Promise<FetchOutcome> {
  const out: FetchOutcome = { fetched: [], corrupt: [], notYetReadable: [] };
  const aliases = new Set(repoIds);
  let next = 0;
  async function worker() {
    while (next < keys.length) {
      checkAborted(signal);
      const key = keys[next++]!;
      try {
        const bytes = await storage.get(key.key);
        // A segment may name an alias id that this round's listing of repo/ did not show (a
        // lagging or lossy listing): on that (rare) mismatch, ask for the repo object directly.
        let unknownRepo: string | undefined;
        const accept = (id: string) => aliases.has(id) || ((unknownRepo = id), false);
        let segment: Segment;
        try {
          segment = decodeSegment(key, bytes, accept);
        } catch (e) {
          if (!unknownRepo || !/^[0-9a-f]{32}$/.test(unknownRepo) || !(await objectExists(storage, `repo/${unknownRepo}`))) throw e;
          aliases.add(unknownRepo);
          segment = decodeSegment(key, bytes, accept);
        }
        out.fetched.push({ key, segment, versions: validate(segment, key.key) });
      } catch (e) {
        if (isStorageError(e, 'NotFound')) out.notYetReadable.push(key.key);
        else if (isStorageError(e, 'Corrupt')) out.corrupt.push({ key: key.key, reason: e.message });
        else throw e;
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, keys.length) }, worker));
  out.fetched.sort((a, b) => (a.key.key < b.key.key ? -1 : 1));
  return out;
}
