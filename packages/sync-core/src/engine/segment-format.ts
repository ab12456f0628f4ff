/**
 * The shape of a segment as stored on the remote (docs/PROTOCOL.md): its own module so the
 * codec (segment.ts) and the schema check (segment-schema.ts) both use it without importing
 * each other.
 */
import type { ChunkLocation } from '../model/chunk-location.js';
import type { Version } from '../model/version.js';

/** The newest segment format this release reads and writes (a repository's own format decides which it writes). */
export const SEGMENT_FORMAT = 2;

export interface Segment {
  format: number;
  repo: string;
  writer: string;
  seq: number;
  /** Key of this writer's previous segment (a chain the reader can check), or null for the first. */
  prev: string | null;
  versions: Version[];
  chunks: ChunkLocation[];
  /**
   * Packs this writer found missing on the remote (storage rolled back): readers forget locations
   * in them, and re-upload chunks of those packs that they still hold on disk. Optional.
   */
  lostPacks?: string[];
  /**
   * Format 5 (§3.12): packs this writer's collection found unneeded by any kept version. Readers
   * deduplicate against them no more (they are still read); their announcer deletes them a
   * margin later if still unneeded. Optional.
   */
  condemned?: string[];
}

export type { SegmentKey } from '../model/segment-key.js';
