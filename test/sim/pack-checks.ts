/**
 * Pack collection in the simulation (docs/PROTOCOL.md §3.12): what the checker demands of each
 * delete of a pack, judged as it happens, on the storage as it is and by the storage's own clock.
 * - It was announced: some segment the storage holds or held, or a checkpoint carrying such a
 *   segment's announcement, condemned it, and that announcement was stored at least the margin
 *   before now (a writer that deduplicated against the pack before it learned of the
 *   announcement has had the margin to publish, and the collector's fresh look then sees it).
 * - Nothing referenced goes: no version a stored segment or a readable checkpoint carries uses a
 *   chunk that this pack holds by a published location and that no other stored pack holds.
 * Announcements are remembered for the whole schedule (an announcing segment collected since, or
 * taken by a rollback, was still made then).
 */
import type { RepositoryCodec } from '../../packages/sync-core/src/codec/repository-codec.js';
import type { Segment } from '../../packages/sync-core/src/engine/segment-format.js';
import { withHash, type HashedVersion } from '../../packages/sync-core/src/model/version.js';
import type { Library } from '@syncacross/sync-core';
import { chunkLocations } from '../../packages/sync-core/src/engine/chunk-locations.js';
import { readCheckpoints, type ReadCheckpoint } from './checkpoint-contents.js';
import { storedSegments } from './invariants.js';

/** What the pack checks read: the storage undistorted, and the decoders' caches (segments and checkpoints are immutable). */
export interface PackWorld {
  raw: Map<string, Uint8Array>;
  stamps: Map<string, number>;
  repoIds: string[];
  codec: RepositoryCodec;
  segments: Map<string, Segment | undefined>;
  checkpoints: Map<string, ReadCheckpoint | undefined>;
}

/** Every condemnation the storage has shown, with the earliest storage time it was stored. */
export class PackAnnouncements {
  private readonly at = new Map<string, number>();
  private readonly read = new Set<string>();
  /** When each announcing segment was stored (a checkpoint carrying its announcement names it). */
  private readonly segmentStamps = new Map<string, number>();

  /** Reads what is new on the storage: every announcing segment and checkpoint (call before anything may leave it: a delete, a rollback). */
  note(w: PackWorld): void {
    for (const [key, segment] of storedSegments(w.raw, w.repoIds, w.segments, w.codec)) {
      if (this.read.has(key) || !segment) continue;
      const stamp = w.stamps.get(key);
      if (stamp === undefined) continue;
      this.read.add(key);
      if (!segment.condemned?.length) continue;
      this.segmentStamps.set(key, Math.min(stamp, this.segmentStamps.get(key) ?? stamp));
      for (const pack of segment.condemned) this.announce(pack, stamp);
    }
    for (const [manifest, c] of readCheckpoints(w.raw, w.repoIds, w.codec, w.checkpoints)) {
      if (this.read.has(manifest) || w.stamps.get(manifest) === undefined) continue;
      this.read.add(manifest);
      // The segment's own time if it was ever seen; else the checkpoint's (later: never too lenient).
      for (const [segment, pack] of c.condemned) this.announce(pack, this.segmentStamps.get(segment) ?? w.stamps.get(manifest)!);
    }
  }

  /** The earliest storage time an announcement of `pack` was stored; undefined: never announced. */
  announcedAt(pack: string): number | undefined {
    return this.at.get(pack);
  }

  private announce(pack: string, stamp: number): void {
    this.at.set(pack, Math.min(stamp, this.at.get(pack) ?? stamp));
  }
}

/** Why deleting `pack` now is wrong, or undefined; `excused`: a rollback interrupted the deleting node's collection (its fresh look saw another storage). */
export function packDeletionProblem(pack: string, w: PackWorld, announcements: PackAnnouncements, now: number, marginMs: number, excused: boolean): string | undefined {
  announcements.note(w);
  const at = announcements.announcedAt(pack);
  if (at === undefined) return `deleted pack ${pack}, which no segment or checkpoint ever announced condemned`;
  if (now - at < marginMs) return `deleted pack ${pack} ${Math.round((now - at) / 1000)} s after it was announced condemned, within the margin (${marginMs / 1000} s)`;
  if (excused) return undefined;
  const stranded = strandedBy(pack, w);
  return stranded ? `deleted pack ${pack}, the only stored pack holding chunk ${stranded.chunk.slice(0, 8)} of ${stranded.version}, which ${stranded.carrier} carries` : undefined;
}

/** A version still carried whose chunk only this pack holds (by the locations published), with what carries it. */
function strandedBy(pack: string, w: PackWorld): { chunk: string; version: string; carrier: string } | undefined {
  const locations = new Map<string, [string, number, number][]>();
  const uses: { chunks: readonly string[]; version: string; carrier: string }[] = [];
  const learn = (carrier: string, s: Pick<Segment, 'versions' | 'chunks'>) => {
    for (const [h, p, off, len] of s.chunks) (locations.get(h) ?? locations.set(h, []).get(h)!).push([p, off, len]);
    for (const v of s.versions) uses.push({ chunks: v.chunks, version: `${v.path}@${withHash(v).hash.slice(0, 8)}`, carrier });
  };
  for (const [key, segment] of storedSegments(w.raw, w.repoIds, w.segments, w.codec)) if (segment) learn(`segment ${key}`, segment);
  for (const [manifest, c] of readCheckpoints(w.raw, w.repoIds, w.codec, w.checkpoints)) for (const s of c.bundled.values()) learn(`checkpoint ${manifest}`, s);
  const elsewhere = (h: string) =>
    (locations.get(h) ?? []).some(([p, off, len]) => {
      const bytes = p === pack ? undefined : w.raw.get(p);
      return bytes !== undefined && bytes.byteLength >= off + len && w.codec.loadChunk(h, bytes.subarray(off, off + len), bytes) !== undefined;
    });
  for (const u of uses) for (const h of u.chunks) if ((locations.get(h) ?? []).some(([p]) => p === pack) && !elsewhere(h)) return { chunk: h, version: u.version, carrier: u.carrier };
  return undefined;
}

/** A node's versions not published yet, and of them those with a chunk it locates only in condemned packs (with those packs). */
export interface PendingHeld {
  pending: Map<string, HashedVersion>;
  stranded: Map<string, string[]>;
}

export function pendingHeld(lib: Library, condemned: (pack: string) => boolean): PendingHeld {
  const pending = new Map(lib.state.pendingVersions().map((v) => [v.hash, v]));
  const stranded = new Map<string, string[]>();
  for (const v of pending.values()) {
    for (const h of v.chunks) {
      const packs = chunkLocations(lib.state, h).map(([, pack]) => pack);
      if (packs.length > 0 && packs.every(condemned)) stranded.set(v.hash, [...(stranded.get(v.hash) ?? []), ...packs]);
    }
  }
  return { pending, stranded };
}

/**
 * Versions a node may drop without publishing them (§3.12, steps/rescue-condemned.ts): one made
 * before it learned a pack was condemned, whose chunk only that pack held and the pack is gone
 * now (the file was changed since, so nothing holds its content any more); and a pending version
 * recorded again with other parents once such a parent was dropped (the same edit under a new hash).
 */
export function rescueDrops(before: PendingHeld, now: ReadonlyMap<string, HashedVersion>, stored: (key: string) => boolean): Set<string> {
  const excused = new Set<string>();
  const same = (a: HashedVersion, b: HashedVersion) => a.path === b.path && a.hlc === b.hlc && a.deleted === b.deleted && a.chunks.join() === b.chunks.join();
  for (const [h, v] of before.pending) {
    if (now.has(h)) continue;
    const gone = before.stranded.get(h)?.every((p) => !stored(p)) ?? false;
    if (gone || [...now.values()].some((o) => same(o, v))) excused.add(h);
  }
  return excused;
}
