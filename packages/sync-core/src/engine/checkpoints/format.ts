/**
 * Checkpoints (docs/PROTOCOL.md §3.9): the content of many segments bundled in a few objects, so
 * a node that has fallen far behind (a new machine, one restored from an old backup, a laptop
 * back after months) reads a handful of objects instead of every segment ever written.
 *
 * A checkpoint is written by one writer and named after it (keys only that writer writes, like
 * its segments): its parts first, each a bundle of whole segments, then the manifest that names
 * them, which is the commit point. A reader lists only `checkpoints/`; parts are read by the key
 * the manifest gives, which ends in a hash of their bytes.
 *
 *   checkpoints/<writer>/<cseq, 10 digits>-<covered, 10 digits>-<first 16 hex of sha256(bytes)>
 *   checkpoint-parts/<writer>/<cseq, 10 digits>/<part, 6 digits>-<first 16 hex of sha256(bytes)>
 */
import type { ChunkLocation } from '../../model/chunk-location.js';
import type { RetentionPolicy } from '../../model/retention.js';
import type { SupersededEntry } from '../../local/superseded-table.js';
import type { Version } from '../../model/version.js';

/** A checkpoint after this many segments no checkpoint covers: one part for most libraries, a few seconds' join instead of minutes. */
export const DEFAULT_CHECKPOINT_EVERY = 500;
/** Unknown segments that make a node read a checkpoint instead: below it, the segments cost about what a checkpoint does. */
export const DEFAULT_CHECKPOINT_READ_AFTER = 64;

export const CHECKPOINTS_PREFIX = 'checkpoints/';
const PARTS_PREFIX = 'checkpoint-parts/';

/** The commit point: which segments the checkpoint covers, and where their content is. */
export interface CheckpointManifest {
  syncacross: 'checkpoint';
  format: 1 | 2;
  repo: string;
  writer: string;
  cseq: number;
  /** How many segments the parts bundle (also in the key, so a reader picks without reading). */
  covered: number;
  /** Per writer, the highest sequence number covered: every segment of that writer from 1 to it is in a part. */
  frontier: Record<string, number>;
  /** The parts, in order, each with how many segments it bundles. */
  parts: { key: string; segments: number }[];
  /** Packs other nodes announced lost that the writer had not judged yet: readers look, as for an announcement. */
  lostPacks: string[];
  /**
   * Format 4, under a retention policy (§3.11): the setting applied (its object's key and
   * content) and the writer's time it was applied as of. Absent: nothing was pruned.
   */
  retention?: { setting: string; policy: RetentionPolicy; asOf: number };
}

/** Whole segments: their keys, and the versions and locations each taught (by index into `segments`). */
export interface CheckpointPart {
  format: 1 | 2;
  repo: string;
  writer: string;
  cseq: number;
  part: number;
  segments: string[];
  versions: [number, Version][];
  chunks: [...ChunkLocation, number][];
  /** Packs a bundled segment announced lost (§7.1): [segment index, pack]. */
  lostPacks: [number, string][];
  /** Format 5: packs a bundled segment announced condemned (§3.12): [segment index, pack]. */
  condemned?: [number, string][];
  /** Format 4, under a retention policy: versions known replaced whose replacing versions were pruned, by hash16 and time (§3.11). */
  superseded?: SupersededEntry[];
}

/** A writer's highest covered sequence number (0: not covered). Own properties only: a writer id may be any name, `constructor` included. */
export const frontierOf = (m: Pick<CheckpointManifest, 'frontier'>, writer: string): number => (Object.hasOwn(m.frontier, writer) ? m.frontier[writer]! : 0);

export interface ManifestKey {
  key: string;
  writer: string;
  cseq: number;
  covered: number;
  hash: string;
}

const MANIFEST = /^checkpoints\/([A-Za-z0-9_.-]+)\/(\d{10})-(\d{10})-([0-9a-f]{16})$/;

export function parseManifestKey(key: string): ManifestKey | undefined {
  const m = MANIFEST.exec(key);
  return m ? { key, writer: m[1]!, cseq: Number(m[2]), covered: Number(m[3]), hash: m[4]! } : undefined;
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** What a manifest's encryption binds it to (its key without the hash: the hash is of the sealed bytes). */
export const manifestStem = (writer: string, cseq: number, covered: number) => `${CHECKPOINTS_PREFIX}${writer}/${pad(cseq, 10)}-${pad(covered, 10)}`;
export const partStem = (writer: string, cseq: number, part: number) => `${PARTS_PREFIX}${writer}/${pad(cseq, 10)}/${pad(part, 6)}`;
