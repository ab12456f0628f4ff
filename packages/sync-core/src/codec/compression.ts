/**
 * Compression of what goes to the remote (format 2): zstd where the runtime has it in node:zlib
 * (Node ≥ 22.15), else deflate; content that does not compress is stored as is, so no CPU is spent
 * twice on PDFs, images and archives. Every reader decodes every codec: a repository shared by a
 * Node 24 machine and a Node 20 one reads zstd through fzstd, a pure-JS decoder (no native build).
 * Format 6 compresses metadata with brotli instead (`compressMetadata`), which every runtime has.
 */
import { createRequire } from 'node:module';
import * as zlib from 'node:zlib';
import { zstdCompressKept, zstdDecompressKept } from './reused-zstd.js';
import { compressionPieces, exactOutput } from './output-buffers.js';

// fzstd is needed only where the runtime has no zstd and meets a chunk that has it: loaded then,
// not at every command's start (5 to 20 ms here on Node 20, where it is imported first).
let fzstd: typeof import('fzstd') | undefined;

/**
 * The buffer fzstd decodes into. fzstd 0.1.1 asks whether the buffer it is given is the number 1
 * (`w == 1` in `rzfh`, its frame header reader), and a Uint8Array compared with a number first
 * becomes the string of all its bytes ("12,0,255,…"): decoding a 26 KB note took 500 µs instead
 * of 140-190 (Node 20), and a download on Node 20 of the benchmark library written by Node 22
 * spent 4.5 s of its main thread in fzstd and 2.7 s collecting those strings' garbage (13.97 s in
 * all, against 7.30 for the library written by Node 20, session 67). This buffer answers NaN
 * when made a primitive, so the comparison costs nothing and is still false.
 */
class FzstdTarget extends Uint8Array {
  [Symbol.toPrimitive](): number {
    return Number.NaN;
  }
}

/** A zstd frame decoded by fzstd into `length` bytes (a plain Uint8Array); throws on a damaged frame. */
export function decodeWithFzstd(payload: Uint8Array, length: number): Uint8Array {
  fzstd ??= createRequire(import.meta.url)('fzstd') as typeof import('fzstd');
  const decoded = fzstd.decompress(payload, new FzstdTarget(length));
  return new Uint8Array(decoded.buffer, decoded.byteOffset, decoded.byteLength);
}

const CODEC = { raw: 0, deflate: 1, zstd: 2, brotli: 3 } as const;
export type Codec = (typeof CODEC)[keyof typeof CODEC];

type ZstdZlib = {
  zstdCompressSync?: (b: Uint8Array, o?: { params?: Record<number, number>; pledgedSrcSize?: number }) => Buffer;
  zstdDecompressSync?: (b: Uint8Array, o?: { maxOutputLength?: number; chunkSize?: number }) => Buffer;
  constants: Record<string, number>;
};
const z = zlib as unknown as ZstdZlib;
const hasZstd = typeof z.zstdCompressSync === 'function' && typeof z.zstdDecompressSync === 'function';

/**
 * What this runtime writes: zstd level 3 (restic's default too), or deflate at DEFLATE_LEVEL.
 *
 * A measured trade, kept on purpose (session 52, Node 24.22, one core). On the benchmark's notes
 * (131 MB of random words from a 25-word vocabulary) zstd 3 stores 25.0 MiB in 0.9 CPU-s and
 * deflate 6 stores 21.7 MiB in 5.8 CPU-s; zstd needs level 9 (22.9 MiB, 5.8 s) to come near. On
 * real text (457 READMEs, licences and JSON files of node_modules, 5.6 MiB) zstd 3 stores 4.6 %
 * more than deflate 6 in half the CPU time. Deflate for small text on every runtime would bring
 * Node 24's stored size of the benchmark library from 784.4 to about 781.1 MiB, under restic's
 * 781.3, for about 5 CPU-s more per first upload: text is a small part of a library, and the time
 * is paid on every upload.
 */
const WRITE_CODEC: Codec = hasZstd ? CODEC.zstd : CODEC.deflate;
/**
 * Deflate's level for chunks of 8 KiB and more (codecs 1 and 4). Level 6 follows up to 128
 * earlier matches at each position, level 5 up to 32: on ordinary text that bought 0.3 % (1,974
 * READMEs, licences, .md and package.json files of node_modules, 6.9 MiB: 2.043 MiB at 5, 2.037
 * at 6, in the same time), but repetitive text (logs, CSV, JSON, the benchmark's notes) has long
 * match chains, and there level 6 took 2.4 times as long for a tenth less (the 5,000 notes with a
 * pack's dictionary: 21.5 MiB in 1.8 CPU-s at 5, 19.5 MiB in 4.2 at 6; the database's pages 25.48
 * MiB in 1.7 CPU-s at 5, 25.41 in 2.0 at 6). Session 58, Node 20. Readers decode any level:
 * nothing else changes.
 */
const DEFLATE_LEVEL = 5;
/**
 * Deflate's level for chunks under 8 KiB, which are compressed on the main thread (POOL_MIN_COMPRESS):
 * a database's pages. Level 3 is zlib's greedy matcher (`deflate_fast`), 4 and up its lazy one.
 * The benchmark's 18,057 pages with a pack's dictionary (session 61, Node 20, two runs each): level
 * 5 25.388 MiB in 1.74-2.21 s, level 3 25.806 MiB in 1.46-1.48 s, level 2 27.12 MiB in 1.22 s.
 */
const SMALL_DEFLATE_LEVEL = 3;

/**
 * Deflate's options for `length` bytes (after a preset dictionary of `dictionaryLength`): a window
 * just large enough when the input is small, and a smaller hash table when it is under 8 KiB.
 * Every call makes a deflate stream, whose window and tables (about 256 KiB at the defaults) count
 * as external memory the garbage collector answers to; a first upload makes one per chunk. The
 * bytes are the defaults' (test/compression.test.ts): a match reaches back at most the window less
 * 262 bytes (zlib's MIN_LOOKAHEAD), so a window that size over the input never cuts one short; and
 * memLevel 7 buffers 8,191 symbols before it ends a block, so an input under that ends its blocks
 * where memLevel 8 does (a 12 KB one of base64 came out 24 bytes larger with memLevel 7).
 */
export function deflateOptions(length: number, dictionaryLength = 0): zlib.ZlibOptions {
  let windowBits = 9; // raw deflate's smallest
  while (windowBits < 15 && 2 ** windowBits < length + dictionaryLength + 262) windowBits++;
  if (windowBits === 15) return { level: DEFLATE_LEVEL };
  return length < 8 * 1024 ? { level: SMALL_DEFLATE_LEVEL, windowBits, memLevel: 7 } : { level: DEFLATE_LEVEL, windowBits };
}
/**
 * Whether this runtime writes deflate, so small chunks may take a pack's dictionary (codec 4,
 * format 7). Zstd writers do not: fzstd, Node 20's zstd reader, takes no dictionary, and zstd 3's
 * speed is what that runtime chose it for (above).
 */
export const WRITES_DEFLATE = WRITE_CODEC === CODEC.deflate;

// Below this a chunk is compressed whole; above, a sample decides first (an incompressible
// 4 MiB chunk then costs one 64 KiB trial, not a full pass).
const SAMPLE = 64 * 1024;
/** Stored compressed only when it saves at least this fraction: else decoding costs more than it saves. */
export const WORTH = 0.97;

/**
 * Zstd's options for `bytes`: level 3, and the input's size told in advance (`pledgedSrcSize`).
 * Without it a compression on the thread pool (a stream) sizes its context for an input of any
 * length, level 3's 2 MiB window and tables, and faults those pages in for a 26 KB note: a first
 * upload of the benchmark library made 446,000-476,000 page faults on Node 24 and took 12.1-13.4 s
 * (user CPU 11.8-13.2), against 43,000-48,000 and 7.1-8.0 s (5.8-6.8) with it; on Node 22, 8.3-11.4
 * s against 7.9-8.5, and 210-217 MB peak against 190-208 (session 67, alternating, 3 runs each).
 * The frames then carry their content size: 2 KB more for the whole library (821.57 MB).
 */
const ZSTD_LEVEL = 3;
const zstdOptions = (bytes: Uint8Array) => ({ params: { [z.constants.ZSTD_c_compressionLevel!]: ZSTD_LEVEL }, pledgedSrcSize: bytes.byteLength });

function squeeze(bytes: Uint8Array): Uint8Array {
  if (WRITE_CODEC === CODEC.zstd) {
    // A small chunk through the stream kept for them (reused-zstd.ts): the same bytes.
    const kept = bytes.byteLength < ZSTD_POOL_MIN ? zstdCompressKept(bytes, ZSTD_LEVEL) : undefined;
    return kept ?? z.zstdCompressSync!(bytes, zstdOptions(bytes));
  }
  return zlib.deflateRawSync(bytes, deflateOptions(bytes.byteLength));
}

// The same work on libuv's thread pool: chunks compress on every core while the main thread reads
// and cuts the next ones (engine/packs.ts keeps several in flight).
//
// Each small chunk sent to the pool costs the main thread about 75 µs and the process about as
// much in system time. Batches of small chunks (256 KiB) compressed synchronously on two worker
// threads were measured instead (session 47): alone, 205 MB of notes and pages compressed in 4.0 s
// with 7.9 CPU-s against 5.0-5.6 s with 9.5-10.6. But in a first upload of the benchmark library
// (folder remote, three runs alternating) the gain was about 1 s of 14 at most, and peak RSS rose
// from 247-268 MB to 361-376 MB (still 350-370 with the workers' garbage collected every 16 MiB,
// and 312-324 MB, slower than the pool, with 32 chunks in flight instead of 256). Not kept.
export type AsyncCodec = (b: Uint8Array, o: object, cb: (e: Error | null, out: Buffer) => void) => void;
const zAsync = zlib as unknown as { zstdCompress?: AsyncCodec; zstdDecompress?: AsyncCodec };
export const onPool = (fn: AsyncCodec, bytes: Uint8Array, options: object) => new Promise<Buffer>((resolve, reject) => fn(bytes, options, (e, out) => (e ? reject(e) : resolve(out))));
function squeezeAsync(bytes: Uint8Array): Promise<Uint8Array> {
  if (WRITE_CODEC === CODEC.zstd) return onPool(zAsync.zstdCompress!, bytes, { ...zstdOptions(bytes), ...compressionPieces(bytes.byteLength) });
  return onPool(zlib.deflateRaw as unknown as AsyncCodec, bytes, { ...deflateOptions(bytes.byteLength), ...compressionPieces(bytes.byteLength) });
}

// Below these a chunk is (de)compressed on the main thread: a thread-pool call costs more. Each
// call makes a zlib stream on the main thread and wakes a pool thread, which costs about as much
// main-thread time as deflating 4 KiB there, and twice that again in system time. The 18,057 pages
// (4 KiB) of the benchmark's database deflated on the pool in 3.6-5.0 s wall, 5.7 CPU-s and as much
// main-thread time as deflating them here, against 2.0-2.1 s and 2.1 CPU-s here; the 5,000 notes
// (6-51 KiB) still gain from the pool (main thread busy 1.4 s against 5.6). In first uploads of the
// library, system time fell by about a third (session 49: 3.0-3.8 s against 5.2-6.0 in one series
// of alternating runs; wall time, noisy here, 16.9-21.6 s against 23.8-25.6 in that series).
export const POOL_MIN_COMPRESS = 8 * 1024;
export const POOL_MIN_DECOMPRESS = 8 * 1024;
// Zstd (Node 22.15 and later) compresses and decompresses several times faster than deflate, and
// here goes through the streams kept for it (reused-zstd.ts), so its line is 64 KiB: the notes
// (6-51 KiB) stay on the main thread too. Node 24, the benchmark library, alternating, 3 runs each
// (session 78): first upload 4.90-4.96 s and 4.8-5.0 CPU-s against 5.62-6.11 s and 6.2-6.6 with
// the 8 KiB line; restore 4.65-4.90 s against 4.80-5.24; download 4.71-5.63 s against 5.79-6.00
// (2 each). Node 22, 2 each: first upload 5.24-5.39 s against 5.63-5.65, and peak RSS 141-144 MB
// against 191-195.
const ZSTD_POOL_MIN = 64 * 1024;
/** Below this a chunk is compressed on the main thread, by what this runtime writes. */
const POOL_MIN_COMPRESS_HERE = WRITE_CODEC === CODEC.zstd ? ZSTD_POOL_MIN : POOL_MIN_COMPRESS;
const poolMinDecompress = (codec: number) => (codec === CODEC.zstd ? ZSTD_POOL_MIN : POOL_MIN_DECOMPRESS);

/** The codec and payload to store for `bytes`: compressed only where that pays. */
export function compress(bytes: Uint8Array): { codec: Codec; payload: Uint8Array } {
  if (bytes.byteLength < 64) return { codec: CODEC.raw, payload: bytes };
  const sample = sampleOf(bytes);
  if (sample && (incompressibleSample(sample) || squeeze(sample).byteLength > SAMPLE * WORTH)) return { codec: CODEC.raw, payload: bytes };
  return chosen(bytes, squeeze(bytes));
}

/**
 * `compress`, with the compression of a large chunk done off the main thread, and its sample too:
 * trying 64 KiB of every large incompressible chunk (PDFs, images) on the main thread was a twentieth
 * of a first upload's main-thread time in a profile, while that thread is what limits it. A sample
 * that is plainly incompressible is not tried at all (`incompressibleSample`).
 */
export async function compressAsync(bytes: Uint8Array): Promise<{ codec: Codec; payload: Uint8Array }> {
  if (bytes.byteLength < POOL_MIN_COMPRESS_HERE) return compress(bytes);
  const sample = sampleOf(bytes);
  if (sample && (incompressibleSample(sample) || (await squeezeAsync(sample)).byteLength > SAMPLE * WORTH)) return { codec: CODEC.raw, payload: bytes };
  return chosen(bytes, await squeezeAsync(bytes));
}

/** What a chunk is judged on before it is compressed whole: its first 64 KiB, when it is over twice that. */
const sampleOf = (bytes: Uint8Array): Uint8Array | undefined => (bytes.byteLength > 2 * SAMPLE ? bytes.subarray(0, SAMPLE) : undefined);

/** The order-0 entropy, in bits a byte, from which a sample is taken to be incompressible without trying it. */
const RANDOM_BITS = 7.99;

/**
 * Whether a sample's bytes are spread so evenly over the 256 values (order-0 entropy of at least
 * 7.99 bits a byte; 64 KiB of random bytes measure 7.997) that it is compressed or encrypted data:
 * JPEG, PNG, ZIP, video, a PDF's streams. Counting its bytes costs about 0.1 ms here (main thread);
 * deflating it to find out the same took 2 ms of a pool thread per large chunk (the benchmark's
 * 776 of them: 1.6 CPU-s). First upload of the benchmark library, builds alternating, medians of 4
 * (session 59): 9.91 s and 11.9 CPU-s against 10.32 s and 12.8; encrypted 10.41 s and 12.7 CPU-s
 * against 10.93 s and 14.0; the same stored size. Huffman coding cannot take 3 % off data this
 * even; only repeats within the sample could (a block copied twice in it), which compressed data
 * does not hold, and whose chunk is then stored as it is. Below the threshold the sample is tried.
 */
export function incompressibleSample(sample: Uint8Array): boolean {
  const counts = new Uint32Array(256);
  for (let i = 0; i < sample.length; i++) counts[sample[i]!]!++;
  let bits = 0;
  for (const count of counts) if (count > 0) bits -= (count / sample.length) * Math.log2(count / sample.length);
  return bits >= RANDOM_BITS;
}

function chosen(bytes: Uint8Array, squeezed: Uint8Array, codec: Codec = WRITE_CODEC): { codec: Codec; payload: Uint8Array } {
  return squeezed.byteLength <= bytes.byteLength * WORTH ? { codec, payload: squeezed } : { codec: CODEC.raw, payload: bytes };
}

/**
 * How format 6 compresses metadata (segments, checkpoints, author and policy objects): brotli
 * quality 4 with a 16 MiB window, in every runtime (node:zlib has had brotli since Node 11).
 *
 * Measured (session 55, the benchmark library's first segment, 6.1 MB of JSON naming 23,858 chunks):
 * deflate 6 stores 2,035,903 bytes in 111 ms; brotli 4 with a 16 MiB window 1,322,333 in 65 ms
 * (4 MiB: 1,400,727); brotli 5-6 1.7-1.9 MB in 250 ms; brotli 9 1,250,338 in 580 ms; zstd 3
 * 1,954,033 and zstd 6 with long-distance matching 1,896,815 (Node 24). A segment names each
 * chunk twice, in its version's list and in the chunk table, megabytes apart: deflate's 32 KiB
 * window and zstd's matchers at those levels never see the first; brotli 4's hasher does. Chunks
 * keep zstd or deflate: they repeat nothing from afar, and brotli stored the benchmark's notes
 * larger for the CPU (quality 4: 28.2 MiB against deflate 6's 21.7; quality 5: 23.9 in 3.1 s
 * against 5.0 s).
 */
export function compressMetadata(bytes: Uint8Array): { codec: Codec; payload: Uint8Array } {
  if (bytes.byteLength < 64) return { codec: CODEC.raw, payload: bytes };
  const c = zlib.constants;
  const squeezed = zlib.brotliCompressSync(bytes, {
    params: { [c.BROTLI_PARAM_QUALITY]: 4, [c.BROTLI_PARAM_LGWIN]: 24, [c.BROTLI_PARAM_MODE]: c.BROTLI_MODE_TEXT, [c.BROTLI_PARAM_SIZE_HINT]: bytes.byteLength },
  });
  return chosen(bytes, squeezed, CODEC.brotli);
}

/**
 * The original bytes, exactly `length` of them, or undefined when the payload does not decode
 * to that (damaged, hostile, or an unknown codec). Memory is bounded by `length`, which the
 * caller has checked against its limits: a decompression bomb costs no more.
 */
export function decompress(codec: number, payload: Uint8Array, length: number): Uint8Array | undefined {
  try {
    switch (codec) {
      case CODEC.raw:
        return payload.byteLength === length ? payload : undefined;
      case CODEC.deflate: {
        const out = zlib.inflateRawSync(payload, exactOutput(length));
        return out.byteLength === length ? out : undefined;
      }
      case CODEC.brotli: {
        const out = zlib.brotliDecompressSync(payload, exactOutput(length));
        return out.byteLength === length ? out : undefined;
      }
      case CODEC.zstd: {
        if (hasZstd) {
          const kept = payload.byteLength < ZSTD_POOL_MIN ? zstdDecompressKept(payload, length) : undefined;
          if (kept) return kept; // else the one-shot decides, as before (reused-zstd.ts)
          const out = z.zstdDecompressSync!(payload, exactOutput(length));
          return out.byteLength === length ? out : undefined;
        }
        // fzstd fills the buffer it is given and stops there; a payload that decodes to fewer or
        // more bytes is caught by the caller's hash or authentication check.
        return decodeWithFzstd(payload, length);
      }
      default:
        return undefined;
    }
  } catch {
    return undefined;
  }
}

/** The thread-pool decoder of each codec that has one (fzstd, pure JS, has none). */
const POOL_DECODERS: Partial<Record<number, AsyncCodec>> = {
  [CODEC.deflate]: zlib.inflateRaw as unknown as AsyncCodec,
  [CODEC.brotli]: zlib.brotliDecompress as unknown as AsyncCodec,
  ...(hasZstd ? { [CODEC.zstd]: zAsync.zstdDecompress } : {}),
};

/** `decompress`, with a large payload decoded off the main thread (fzstd, pure JS, stays on it). */
export async function decompressAsync(codec: number, payload: Uint8Array, length: number): Promise<Uint8Array | undefined> {
  const fn = POOL_DECODERS[codec];
  if (!fn || payload.byteLength < poolMinDecompress(codec)) return decompress(codec, payload, length);
  try {
    const out = await onPool(fn, payload, exactOutput(length));
    return out.byteLength === length ? out : undefined;
  } catch {
    return undefined;
  }
}
