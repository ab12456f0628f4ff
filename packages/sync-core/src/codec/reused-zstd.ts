/**
 * Zstd (codec 2) for the chunks (de)compressed on the main thread, those under 64 KiB (a database's
 * pages, notes: compression.ts, ZSTD_POOL_MIN), through one stream kept per direction and reset
 * between inputs, as reused-zlib.ts does for deflate with a pack's dictionary. `zstdCompressSync`
 * and `zstdDecompressSync` make a stream per call: a Transform object, a zstd context allocated
 * and freed, a handle the garbage collector finalizes later. On Node 24 (session 78, the benchmark
 * library, CPU profiles), the constructor of those streams alone took 484 ms of a first upload's
 * main thread and 479 ms of a restore's; 20,000 pages of 4 KiB compressed in 842 ms one by one
 * against 328 ms through a kept stream (Node 22: 1,018 against 681). The whole commands, when only
 * chunks under 8 KiB took this path (Node 24, alternating, 3 runs each): first upload 5.39-5.43 s
 * against 5.57-6.21, CPU 5.8-5.9 s against 6.0-6.6, peak RSS 165-175 MB against 186-194 (the
 * contexts' memory, freed in the main arena in between, was kept there); restore 4.56-5.34 s
 * against 4.86-5.50, the same peak. Node 22 (2 each): upload 188-195 MB against 195-198, restore
 * 158-165 against 169-173.
 *
 * The same bytes: an input given whole with `ZSTD_e_end` is compressed as if its size had been
 * pledged (zstd.h, `ZSTD_CCtx_setPledgedSrcSize`, note 3: "Whenever all input data is provided and
 * consumed in a single round, [...] or invoking immediately ZSTD_compressStream2(,,,ZSTD_e_end),
 * this value is automatically overridden by srcSize instead"), so each frame is the one-shot's
 * with `pledgedSrcSize`, content size declared (test/reused-zstd.test.ts compares them), and a
 * session reset (`reset`) forgets it for the next input. Where the runtime has no zstd, or not the
 * internal shape driven here (reused-zlib.ts), these answer undefined and the caller uses the
 * one-shot functions.
 */
import * as zlib from 'node:zlib';
import { drivable, finishWhole, keptStream, reset, writeFinish, type Stream } from './reused-zlib.js';

interface ZstdZlib {
  createZstdCompress?: (options: object) => Stream;
  createZstdDecompress?: () => Stream;
  constants: { ZSTD_e_end?: number; ZSTD_c_compressionLevel?: number };
}
const z = zlib as unknown as ZstdZlib;
const { ZSTD_e_end: END, ZSTD_c_compressionLevel: LEVEL } = z.constants;

/**
 * The largest chunk the kept decompressor reads. A frame that declares its content size (every
 * frame written here does), given whole with room for all of it, is decoded in one pass straight
 * into the buffer given (zstd's "single-pass mode"); otherwise the context decodes through buffers
 * of its own, sized by the frame's window and content size, and keeps them for the frames after
 * it. So only frames declaring exactly the chunk's length, at most this, are read here: whatever
 * such a frame holds, the context keeps little. Any other goes to the one-shot function, whose
 * memory goes with it. (A parameter such as `ZSTD_d_windowLogMax` cannot bound it: Node 22's reset
 * forgets the context's parameters, Node 24's keeps them.)
 */
const KEPT_MAX_LENGTH = 1024 * 1024;

let compressor: Stream | undefined;
let decompressor: Stream | undefined;

/**
 * zstd's own default level, the only one kept: Node 22's reset forgets a context's parameters
 * (Node 24's keeps them), and the level after a reset there is this one.
 */
const ZSTD_DEFAULT_LEVEL = 3;

/** `zstdCompressSync(bytes, { level, pledgedSrcSize })`'s bytes through a kept stream; undefined where none can be kept. */
export function zstdCompressKept(bytes: Uint8Array, level: number): Buffer | undefined {
  if (!z.createZstdCompress || END === undefined || LEVEL === undefined || level !== ZSTD_DEFAULT_LEVEL) return undefined;
  const stream = keptStream(compressor, () => z.createZstdCompress!({ params: { [LEVEL]: level } }));
  compressor = stream;
  if (!drivable(stream)) return undefined;
  // Room for an incompressible input (zstd's bound: a block header per 128 KiB) and the frame's header.
  return finishWhole(stream, bytes, bytes.byteLength + (bytes.byteLength >> 7) + 128, END);
}

/**
 * Exactly `length` bytes from the zstd frame `payload`, when it declares that content size (at most
 * KEPT_MAX_LENGTH) and decodes to it cleanly: one frame, wholly read, no error. Undefined otherwise;
 * for anything unusual (bytes after the frame, damage, another declared size) the caller asks the
 * one-shot function, whose answer it is.
 */
export function zstdDecompressKept(payload: Uint8Array, length: number): Uint8Array | undefined {
  if (!z.createZstdDecompress || END === undefined || length > KEPT_MAX_LENGTH || declaredSize(payload) !== length) return undefined;
  const stream = keptStream(decompressor, () => z.createZstdDecompress!());
  decompressor = stream;
  if (!drivable(stream)) return undefined;
  // One byte of room past `length`: output that fills it is longer than the chunk.
  const ran = writeFinish(stream, payload, 0, Buffer.allocUnsafe(length + 1), END);
  if (ran === 'failed') return undefined; // node:zlib destroyed the stream: the next input gets a new one
  reset(stream); // also after a frame left unfinished: the next input starts a new one
  return ran.out.byteLength === length && ran.inLeft === 0 ? ran.out : undefined;
}

/** The content size a zstd frame's header declares (RFC 8878 §3.1.1.1), or undefined (none declared, or not a zstd frame). */
export function declaredSize(frame: Uint8Array): number | undefined {
  if (frame.byteLength < 6 || frame[0] !== 0x28 || frame[1] !== 0xb5 || frame[2] !== 0x2f || frame[3] !== 0xfd) return undefined;
  const descriptor = frame[4]!;
  const singleSegment = (descriptor >> 5) & 1;
  const fieldSize = [singleSegment ? 1 : 0, 2, 4, 8][descriptor >> 6]!;
  // After the descriptor: the window descriptor (unless single-segment), then the dictionary id.
  const at = 5 + (singleSegment ? 0 : 1) + [0, 1, 2, 4][descriptor & 3]!;
  if (fieldSize === 0 || frame.byteLength < at + fieldSize) return undefined;
  let size = 0;
  for (let i = fieldSize - 1; i >= 0; i--) size = size * 256 + frame[at + i]!;
  return fieldSize === 2 ? size + 256 : size;
}
