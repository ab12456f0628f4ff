/**
 * How large the buffers are that node:zlib writes a (de)compression's output into (`chunkSize`).
 * Its default is 16 KiB, and on the thread pool each buffer filled is a round trip: the pool
 * thread stops, the main thread takes the piece and sends the stream back for more, and the
 * pieces are joined at the end. A 1 MiB chunk of text decompressed in 66 round trips and a copy.
 *
 * Measured (session 80; 418 MB of CSV files, 107 MB stored; folder remote on tmpfs; alternating
 * with the code before, 3 runs each):
 * - download: Node 20 (deflate) 1.30-1.36 s against 2.19-2.29, CPU 2.0-2.1 s against 3.1-3.2;
 *   Node 24 (zstd) 1.11-1.17 s against 2.25-2.29, peak RSS 149-164 MB against 177-188. A restore
 *   alike: 1.32-1.35 s against 2.11-2.21, and 1.14-1.18 against 2.19-2.42.
 * - first upload: Node 24 2.82-3.00 s against 3.54-3.61 with pieces of a quarter of the input, and
 *   pieces of an eighth as fast (2.70-2.83 s against a quarter's 2.63-2.87, in another series),
 *   holding 3-5 MB less on Node 20; Node 20 6.38-6.51 s against 6.59-6.68 with an eighth (deflate's
 *   own work is most of it).
 * - alone, 1,200 pool inflates of 1 MiB: 0.65-0.70 s against 1.74-1.77.
 * The benchmark library's chunks are mostly PDFs and images, stored as they are, and its notes and
 * pages small: there it changes little.
 */
import * as zlib from 'node:zlib';

/**
 * Options for decoding what is known to be `length` bytes: at most that (a decompression bomb
 * costs no more), into one buffer. One byte more than `length`: a buffer filled to the byte makes
 * node:zlib allocate another for output that never comes, and more than `length` is refused all
 * the same. A hostile frame claiming a large length (up to the caller's limit: 64 MiB for a chunk)
 * over a few bytes gets that buffer at once, but not written: address space, not resident memory,
 * where a real bomb of that length, allowed as before, costs the memory itself.
 */
export const exactOutput = (length: number) => ({ maxOutputLength: Math.max(1, length), chunkSize: Math.max(zlib.constants.Z_MIN_CHUNK, length + 1) });

/**
 * The piece size for compressing `length` bytes, whose output size is not known before: an eighth
 * of the input (what is kept is at most 97 % of it, compression.ts `WORTH`, so at most eight
 * pieces), never below node:zlib's default. The last piece, which the output may not fill, is held
 * whole until the chunk is copied into its pack: at most an eighth of a chunk more, for the few
 * chunks in flight.
 */
export const compressionPieces = (length: number) => ({ chunkSize: Math.max(zlib.constants.Z_DEFAULT_CHUNK, length >> 3) });
