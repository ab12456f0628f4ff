/**
 * Where a chunk's bytes live on the remote: [chunkHash, packKey, offset, length]. Segments
 * publish these (docs/PROTOCOL.md); the local state keeps every one it learned.
 */
export type ChunkLocation = [string, string, number, number];
