/**
 * The dictionary a pack writer compresses small chunks with (format 7, docs/PROTOCOL.md §3.5):
 * the last 1 KiB of each of the first eight small chunks it takes that compress, 8 KiB at most.
 * They are what the library repeats (a database's pages, a folder of notes), which a chunk
 * compressed alone cannot borrow.
 *
 * Measured on the benchmark library (Node 20, first upload, 780.0 MiB without dictionaries): the
 * first 4 KiB of the first four small chunks that compress (16 KiB) stored 776.1 MiB, and cost the
 * upload about 1 CPU-s more on the main thread for the database's pages alone (zlib hashes the
 * whole dictionary into every page's stream); their first 2 KiB, 776.05; the first 4 KiB of two,
 * 780.0, nothing: the first pages are the schema, mostly zeros, and an interior page of pointers.
 * The last 1 KiB of eight: 775.7 MiB, for half the CPU: a SQLite page keeps its cells' content at
 * its end, and eight pieces reach past the first odd ones. Sixteen such ends (16 KiB) would store
 * the pages and notes 0.8 MiB smaller again (44.6 MiB against 45.4, measured apart), for twice the cost.
 */
import { deflateRawSync } from 'node:zlib';
import { MAX_DICTIONARY_CHUNK } from '../codec/dictionary-compression.js';

const PIECE = 1024;
const PIECES = 8;
/**
 * Only pieces that compress to at most this fraction go in: a small chunk may be the tail of an
 * image or an archive, and a dictionary of noise helps nothing (the first try took the tails of
 * the benchmark's random attachments). A writer that meets this many that do not gives up.
 */
const COMPRESSES_TO = 0.8;
const MAX_TRIES = 64;
/** Room kept ahead of a pack's chunks for the dictionary's frame (its plain bytes, a frame header, a seal's nonce and tag). */
export const DICTIONARY_ROOM = PIECE * PIECES + 64;

export class DictionarySampler {
  private readonly pieces: Uint8Array[] = [];
  private tries = 0;

  /** Takes a piece of `chunk` (copied: chunks are views of read buffers); the dictionary once there are enough. */
  take(chunk: Uint8Array): Uint8Array | undefined {
    if (chunk.byteLength > MAX_DICTIONARY_CHUNK || chunk.byteLength < 64 || this.tries >= MAX_TRIES) return undefined;
    const piece = Buffer.from(chunk.subarray(Math.max(0, chunk.byteLength - PIECE)));
    // Level 1: a quick judgement, not the stored form.
    if (deflateRawSync(piece, { level: 1 }).byteLength > piece.byteLength * COMPRESSES_TO) {
      this.tries++;
      return undefined;
    }
    this.pieces.push(piece);
    return this.pieces.length >= PIECES ? Buffer.concat(this.pieces) : undefined;
  }
}
