/**
 * The collection invariants (docs/PROTOCOL.md §3.10, §9), checked at the moment of each delete, on
 * the storage as it is (not as a node's distorted view shows it), by the storage's own clock:
 * - a segment goes only if a checkpoint the storage holds, older than the margin and readable
 *   whole, bundles it (nothing referenced is deleted; nothing younger than the margin goes);
 * - a checkpoint goes only if every segment it bundles is still stored or bundled by another
 *   such checkpoint;
 * - a part goes only once no readable manifest names it, and when older than the margin;
 * - a pack goes only a margin after it was announced condemned, and only if no version still
 *   carried needs it (pack-checks.ts).
 * Clock probes (`clock/`) are the collector's own.
 *
 * One excuse: a storage rolled back while a node collects. The collector read a checkpoint whole
 * and old enough, then the rollback took that checkpoint away and brought back segments it
 * bundles; the deletes that follow remove them from the restored copy. No lock-free collector can
 * tell (the rollback lands between its read and its delete); it is the rollback that lost those
 * segments, and nodes that applied them publish their versions again (§7.1), which the end-state
 * checks hold them to. So a checkpoint the rollback took counts, for the node whose operation it
 * interrupted, as if still stored.
 */
import type { Storage } from '@syncacross/sync-core';
import { parseManifestKey } from '../../packages/sync-core/src/engine/checkpoints/format.js';
import { decodeManifest } from '../../packages/sync-core/src/engine/checkpoints/objects.js';
import type { RepositoryCodec } from '../../packages/sync-core/src/codec/repository-codec.js';
import { readCheckpoints, type ReadCheckpoint } from './checkpoint-contents.js';
import type { Segment } from '../../packages/sync-core/src/engine/segment-format.js';
import { packDeletionProblem, type PackAnnouncements } from './pack-checks.js';

export interface CollectionWorld {
  raw(): Map<string, Uint8Array>;
  /** When the storage stamped each object it holds. */
  stamps(): Promise<Map<string, number>>;
  repoIds(): string[];
  codec(): RepositoryCodec;
  now(): number;
  marginMs: number;
  violation(message: string): void;
  /** Each delete the checks let through, for the trace. */
  deleted(key: string): void;
  /** Checkpoints a rollback took from under the deleting node's operation (in flight when the storage went back), with when they were stamped. */
  lostUnderMe(): ReadonlyMap<string, { checkpoint: ReadCheckpoint; stampedAt: number }>;
  /** Whether a rollback came while the deleting node's operation was in flight (its look at the storage was of another one). */
  rolledBackUnderMe(): boolean;
  /** Segments decoded (immutable: once per key), and every condemnation the storage has shown (§3.12). */
  segments: Map<string, Segment | undefined>;
  announcements: PackAnnouncements;
}

const PART = /^checkpoint-parts\//;

/** Whether a readable manifest on the storage names this part (a clone may reuse a writer id and a checkpoint number: the key decides). */
function namedByManifest(raw: Map<string, Uint8Array>, part: string, w: CollectionWorld): boolean {
  for (const [key, bytes] of raw) {
    const k = parseManifestKey(key);
    if (!k) continue;
    try {
      if (decodeManifest(k, bytes, new Set(w.repoIds()), w.codec()).parts.some((p) => p.key === part)) return true;
    } catch {
      // unreadable: names nothing a reader could use
    }
  }
  return false;
}

export function withCollectionChecks(storage: Storage, w: CollectionWorld, cache = new Map<string, ReadCheckpoint | undefined>()): Storage {
  if (!storage.delete) return storage;
  const inner = storage.delete.bind(storage);
  const check = async (key: string): Promise<string | undefined> => {
    if (key.startsWith('clock/')) return undefined;
    const raw = w.raw();
    if (!raw.has(key)) return undefined; // deleting what is not there changes nothing
    const stamps = await w.stamps();
    const packWorld = { raw, stamps, repoIds: w.repoIds(), codec: w.codec(), segments: w.segments, checkpoints: cache };
    // Before anything leaves the storage: a segment that announced a condemnation stays on record.
    w.announcements.note(packWorld);
    if (key.startsWith('packs/')) return packDeletionProblem(key, packWorld, w.announcements, w.now(), w.marginMs, w.rolledBackUnderMe());
    const old = (k: string) => w.now() - (stamps.get(k) ?? Number.POSITIVE_INFINITY) >= w.marginMs;
    const checkpoints = readCheckpoints(raw, w.repoIds(), w.codec(), cache);
    const lost = w.lostUnderMe();
    const lostOld = [...lost].filter(([, l]) => w.now() - l.stampedAt >= w.marginMs).map(([m, l]) => [m, l.checkpoint] as const);
    const bundledElsewhere = (segment: string, except?: string) =>
      [...checkpoints].some(([m, c]) => m !== except && old(m) && c.bundled.has(segment)) || lostOld.some(([m, c]) => m !== except && c.bundled.has(segment));
    if (key.startsWith('log/')) return bundledElsewhere(key) ? undefined : `deleted segment ${key}: no checkpoint older than the margin bundles it`;
    if (parseManifestKey(key)) {
      const mine = checkpoints.get(key);
      if (!mine) return `deleted checkpoint ${key}, which reads back whole (or is not complete): nothing shows it was superseded`;
      const orphaned = [...mine.bundled.keys()].filter((s) => !raw.has(s) && !bundledElsewhere(s, key));
      return orphaned.length ? `deleted checkpoint ${key}: ${orphaned.length} segment(s) it bundles are nowhere else (${orphaned[0]})` : undefined;
    }
    if (PART.test(key)) {
      if (namedByManifest(raw, key, w)) return `deleted part ${key} of a checkpoint the storage still holds`;
      return old(key) ? undefined : `deleted part ${key}, younger than the margin (a checkpoint may still be being written)`;
    }
    return undefined;
  };
  return {
    ...storage,
    delete: async (key) => {
      const problem = await check(key);
      if (problem) w.violation(problem);
      else w.deleted(key);
      await inner(key);
    },
  };
}
