/**
 * Hard limits on what the engine accepts from the remote (docs/PROTOCOL.md §3.4). They bound the
 * memory and time a hostile or broken object can cost a reader: peak memory while decoding any
 * remote object stays far under 200 MB whatever the input. Writers keep well inside them
 * (segment-batches.ts), so an honest segment is never refused.
 */

/** A segment as stored (gzip): larger ones are not fetched at all. */
export const MAX_SEGMENT_BYTES = 16 * 1024 * 1024;
/** A segment's JSON after gunzip: decompression stops at this size (a gzip bomb costs no more). */
export const MAX_SEGMENT_JSON_BYTES = 24 * 1024 * 1024;
/**
 * JSON values (objects, arrays, and array elements/members) per segment, counted on the text
 * before parsing: 24 MiB of `[[],[],…]` would otherwise parse into ~6 million objects.
 */
export const MAX_SEGMENT_JSON_VALUES = 1_000_000;
export const MAX_VERSIONS_PER_SEGMENT = 20_000;
export const MAX_CHUNK_LOCATIONS_PER_SEGMENT = 100_000;
/** Chunk and parent hashes over all versions of one segment. */
export const MAX_HASH_REFS_PER_SEGMENT = 150_000;
export const MAX_LOST_PACKS_PER_SEGMENT = 10_000;

/** A library path, in UTF-8 bytes. */
export const MAX_PATH_BYTES = 4096;
/**
 * Each `/`-separated name, in UTF-16 code units: what macOS (APFS, HFS+) and Windows (NTFS)
 * allow. Linux allows 255 *bytes*, so 100 CJK characters (300 bytes) are a valid name made on a
 * Mac that a Linux node cannot write: that is a per-path error there, not a refused segment.
 */
export const MAX_NAME_UNITS = 255;
export const MAX_WRITER_ID_LENGTH = 128;

/** A chunk (the chunker's largest is a few MiB; SQLite pages are at most 64 KiB). */
export const MAX_CHUNK_BYTES = 64 * 1024 * 1024;
/** A pack: offset + length of any chunk inside it (writers make packs of ~24-28 MiB). */
export const MAX_PACK_BYTES = 1024 * 1024 * 1024;
/** Modification times: the range of a JavaScript Date, in ms. */
export const MAX_ABS_MTIME_MS = 8.64e15;

/**
 * What a writer aims for, leaving the readers' limits a wide margin.
 *
 * Versions: a quarter of what readers take. Encoding a segment holds its versions, their JSON
 * (about 300 bytes a version), that JSON's bytes and brotli's window over them at once: 20,000
 * versions made the commit of a first upload of 100,000 small files its peak, 28 MB over the rest
 * (peak RSS 176-178 MB against 136-139 MB with 5,000; 20 segments instead of 5, 5.91 MB stored
 * against 6.13). The benchmark library's first upload writes 2 segments instead of 1.
 */
export const WRITER_TARGETS = {
  versions: 5_000,
  hashRefs: 100_000,
  locations: 50_000,
  jsonBytes: 20 * 1024 * 1024,
} as const;

/**
 * Checkpoints (§3.9): a manifest and each part are read within the segment limits above (bytes,
 * decompressed JSON, JSON values; a part's versions, locations and hashes as a segment's). These
 * bound what a manifest may list, so one hostile manifest cannot make a reader fetch without end.
 */
export const MAX_CHECKPOINT_PARTS = 10_000;
export const MAX_SEGMENTS_PER_PART = 20_000;
export const MAX_FRONTIER_WRITERS = 10_000;
/** Versions a checkpoint part names superseded (§3.11): 16 hex digits and a time each, a few MB at most. */
export const MAX_SUPERSEDED_PER_PART = 100_000;
