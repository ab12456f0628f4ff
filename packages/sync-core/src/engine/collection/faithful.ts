/**
 * Before collection deletes a segment on the strength of a checkpoint (docs/PROTOCOL.md §3.10),
 * it reads the segment and checks that the checkpoint carries what it says: every version of it
 * (by hash, credited to any bundled segment), and a location for every chunk those versions name.
 * A checkpoint is trusted for nothing else: a writer's bug, or a team member acting in bad faith,
 * could leave versions out, and once the segment is gone nobody could tell (the simulation's
 * `checkpoint-heads-only` variant lost acknowledged edits that way). A checkpoint that leaves out
 * anything of one segment is not relied on at all.
 */
import type { RepositoryCodec } from '../../codec/repository-codec.js';
import { checkAborted } from '../../model/abort.js';
import { withHash, type HashedVersion } from '../../model/version.js';
import type { ObjectInfo, Storage } from '../../storage/contract.js';
import { isStorageError } from '../../storage/errors.js';
import { parseSegmentKey } from '../segment.js';
import { readSegment } from './read-segment.js';
import type { WholeCheckpoint } from './whole-checkpoint.js';
import { prunedRightly } from '../retention/pruned-rightly.js';

export interface Faithfulness {
  /** The segments that may go: read here, and carried whole by the checkpoint. */
  faithful: ObjectInfo[];
  /** Segments that could not be read now (kept: nothing proves the checkpoint holds them). */
  unreadable: string[];
  /** Set when the checkpoint leaves out something a bundled segment holds: then nothing may go on its strength. */
  unfaithful?: string;
}

/**
 * What of these versions the checkpoint does not carry (a version, or a location of one of their
 * chunks) and was not entitled to prune; undefined: nothing.
 */
export function leftOut(whole: WholeCheckpoint, versions: Pick<HashedVersion, 'hash' | 'path' | 'chunks' | 'hlc'>[]): string | undefined {
  for (const v of versions) {
    if (!whole.versions.has(v.hash)) {
      if (prunedRightly(whole, v)) continue;
      return `a version of ${v.path}`;
    }
    const chunk = v.chunks.find((h) => !whole.located.has(h));
    if (chunk) return `a location of chunk ${chunk.slice(0, 12)}`;
  }
  return undefined;
}

/**
 * A condemnation (§3.12) the checkpoint does not carry: once the segment goes, nobody would learn
 * of it. Nor a location such a segment gives: those are where a repacked pack's chunks went, and
 * forgotten with the segment, the copies would look unneeded once the pack is gone.
 */
function announcementLeftOut(whole: WholeCheckpoint, segment: string, packs: string[] | undefined, copies: readonly (readonly [string, string, number, number])[]): string | undefined {
  const pack = packs?.find((p) => !whole.condemned.has(`${segment} ${p}`));
  if (pack) return `the condemnation of ${pack}`;
  const copy = packs?.length ? copies.find(([h, p]) => !whole.packsOf.get(h)?.includes(p)) : undefined;
  return copy && `the location of chunk ${copy[0].slice(0, 12)} in ${copy[1]}`;
}

export async function checkFaithful(
  storage: Storage,
  codec: RepositoryCodec,
  repoIds: ReadonlySet<string>,
  whole: WholeCheckpoint,
  segments: ObjectInfo[],
  signal?: AbortSignal,
): Promise<Faithfulness> {
  const out: Faithfulness = { faithful: [], unreadable: [] };
  for (const o of segments) {
    checkAborted(signal);
    const key = parseSegmentKey(o.key);
    if (!key) continue;
    let segment;
    try {
      segment = await readSegment(storage, codec, repoIds, key);
    } catch (e) {
      if (!isStorageError(e, 'Corrupt') && !isStorageError(e, 'NotFound')) throw e;
      out.unreadable.push(o.key);
      continue;
    }
    const missing = leftOut(whole, segment.versions.map(withHash)) ?? announcementLeftOut(whole, o.key, segment.condemned, segment.chunks);
    if (missing) return { ...out, unfaithful: `it leaves out ${missing} that ${o.key} holds` };
    out.faithful.push(o);
  }
  return out;
}
