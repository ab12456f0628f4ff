/**
 * The reads and writes of repacking (docs/PROTOCOL.md §3.12): copying a repacked pack's needed
 * chunks into new packs before it is announced condemned, and, a margin later, reading back every
 * needed chunk of a condemned pack from its home elsewhere before the pack is deleted. Every
 * chunk is verified against its hash on the way (chunk-fetcher.ts): a location another segment
 * merely claims, hostile or wrong, never stands in for the pack that holds the chunk.
 */
import type { RepositoryCodec } from '../../codec/repository-codec.js';
import type { ChunkLocation } from '../../model/chunk-location.js';
import type { Storage } from '../../storage/contract.js';
import { isStorageError } from '../../storage/errors.js';
import { ChunkFetcher } from '../chunk-fetcher.js';
import { chunkLocations, type LocationsState } from '../chunk-locations.js';
import { PackWriter } from '../packs.js';
import type { Repack } from './repack-plan.js';
import { appendAll } from '../../model/append-all.js';

export interface RepackIO {
  state: LocationsState;
  storage: Storage;
  codec: RepositoryCodec;
  packSize: number;
  signal?: AbortSignal;
}

const unreadable = (e: unknown) => isStorageError(e, 'NotFound') || isStorageError(e, 'Corrupt');

/**
 * Copies the chunks of a repack into new packs (under keys `avoid` refuses: condemned ones).
 * Returns the copies' locations, and the packs one of whose chunks could not be read: those are
 * not condemned.
 */
export async function copyOut(io: RepackIO, repack: Repack, avoid: (key: string) => boolean): Promise<{ copies: ChunkLocation[]; failed: Set<string> }> {
  const out = { copies: [] as ChunkLocation[], failed: new Set<string>() };
  if (repack.chunks.size === 0) return out;
  // From the pack being repacked first; any other location verifies just as well.
  const locate = (h: string) => {
    const all = chunkLocations(io.state, h);
    const from = repack.chunks.get(h);
    return [...all.filter((l) => l[1] === from), ...all.filter((l) => l[1] !== from)];
  };
  const fetcher = new ChunkFetcher(io.storage, io.codec, locate, io.signal);
  fetcher.plan(repack.chunks.keys());
  const packs = new PackWriter(
    io.storage,
    io.codec,
    (locations) => appendAll(out.copies, locations),
    () => false,
    io.packSize,
    avoid,
  );
  for (const [h, from] of repack.chunks) {
    try {
      await packs.add(h, await fetcher.get(h));
    } catch (e) {
      if (!unreadable(e)) throw e;
      out.failed.add(from);
    }
  }
  await packs.flush();
  return out;
}

/** Whether every chunk reads back, verified, from one of the packs given for it (by the locations this node knows there). */
export async function readsBackElsewhere(io: RepackIO, homes: ReadonlyMap<string, string[]>): Promise<boolean> {
  if (homes.size === 0) return true;
  const locate = (h: string) => chunkLocations(io.state, h).filter((l) => homes.get(h)?.includes(l[1]));
  if ([...homes.keys()].some((h) => locate(h).length === 0)) return false;
  const fetcher = new ChunkFetcher(io.storage, io.codec, locate, io.signal);
  fetcher.plan(homes.keys());
  for (const h of homes.keys()) {
    try {
      await fetcher.get(h);
    } catch (e) {
      if (!unreadable(e)) throw e;
      return false;
    }
  }
  return true;
}
