/**
 * The repository formats this release reads and writes (docs/PROTOCOL.md §3.5-3.7, §3.10), oldest
 * first: 1 (gzip'd JSON segments, chunks as is), 2 (framed and compressed, optionally encrypted);
 * 3 collects segments and checkpoints, 4 prunes, 5 collects packs, 6 writes metadata as brotli,
 * 7 compresses small chunks with their pack's dictionary:
 * rules every node keeps, so a release that does not know them stops at the marker (or upgrade)
 * instead of joining. One list, so the type, the newest format and the decoding of a stored one
 * cannot disagree.
 */
export const REPOSITORY_FORMATS = [1, 2, 3, 4, 5, 6, 7] as const;
/** A repository format this release reads and writes, 1 to 7: what each adds is in docs/PROTOCOL.md §3.7. */
export type RepositoryFormat = (typeof REPOSITORY_FORMATS)[number];
