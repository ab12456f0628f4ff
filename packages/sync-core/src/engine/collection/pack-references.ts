/**
 * Which packs hold nothing any kept version needs (docs/PROTOCOL.md §3.10): what pack collection
 * will delete, once it exists. This release only counts them, for `gc` to say how much space is
 * waiting; it deletes no pack.
 *
 * Needed is every chunk of a version the chosen checkpoint carries or a listed segment holds that
 * this collection keeps: a version the checkpoint pruned (§3.11) needs nothing, a version of a
 * segment that stays needs its chunks whatever the checkpoint says. A pack is needed when it holds
 * a needed chunk by a location either publishes; a pack younger than the margin is left out of
 * the count (its segment may be on its way). When a segment that stays cannot be read, nothing is
 * counted: a pack it needs would look unneeded.
 */
import type { RepositoryCodec } from '../../codec/repository-codec.js';
import { checkAborted } from '../../model/abort.js';
import type { ObjectInfo, Storage } from '../../storage/contract.js';
import { isStorageError } from '../../storage/errors.js';
import { listAll } from '../../storage/listing.js';
import { PACK_KEY } from '../segment-schema.js';
import { parseSegmentKey } from '../segment.js';
import { readSegment } from './read-segment.js';
import type { WholeCheckpoint } from './whole-checkpoint.js';

/** Packs no kept version needs: how many, and their bytes; or why they could not be counted. */
export type UnneededPacks =
  | {
      /** Packs listed longer than the margin that hold no chunk a kept version needs. */
      count: number;
      /** Their bytes, as listed. */
      bytes: number;
    }
  | {
      /** Why they could not be counted (a segment that stays could not be read). */
      unknown: string;
    };

export interface PackCount {
  storage: Storage;
  codec: RepositoryCodec;
  repoIds: ReadonlySet<string>;
  /** The checkpoint the collection relies on, read whole. */
  checkpoint: Pick<WholeCheckpoint, 'packsOf' | 'used'>;
  /** Segments listed in `log/` that this collection does not delete. */
  staying: ObjectInfo[];
  /** Old enough to count (older than the margin on the storage's clock). */
  old: (o: ObjectInfo) => boolean;
  signal?: AbortSignal;
}

/** A count only: a read that fails (the storage busy, a segment not readable yet) makes it unknown, never the collection fail. */
export async function unneededPacks(c: PackCount): Promise<UnneededPacks> {
  try {
    return await countUnneeded(c);
  } catch (e) {
    if (!isStorageError(e)) throw e;
    return { unknown: `${e.message}, so which packs are needed is not known` };
  }
}

async function countUnneeded(c: PackCount): Promise<UnneededPacks> {
  const used = new Set(c.checkpoint.used);
  const packsOf = new Map(c.checkpoint.packsOf);
  for (const o of c.staying) {
    checkAborted(c.signal);
    const key = parseSegmentKey(o.key);
    if (!key) continue;
    const segment = await readSegment(c.storage, c.codec, c.repoIds, key);
    for (const v of segment.versions) for (const chunk of v.chunks) used.add(chunk);
    for (const [chunk, pack] of segment.chunks) (packsOf.get(chunk) ?? packsOf.set(chunk, []).get(chunk)!).push(pack);
  }
  const needed = new Set<string>();
  for (const chunk of used) for (const pack of packsOf.get(chunk) ?? []) needed.add(pack);
  let count = 0;
  let bytes = 0;
  for (const p of await listAll(c.storage, 'packs/', { etags: false })) {
    if (!PACK_KEY.test(p.key) || needed.has(p.key) || !c.old(p)) continue;
    count++;
    bytes += p.size;
  }
  return { count, bytes };
}
