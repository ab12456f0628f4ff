/**
 * How a repository stores segments and chunks, by format (docs/PROTOCOL.md §3.5):
 * - format 1: a segment is gzip'd JSON, a chunk is stored as is;
 * - format 2: both are frames (frame.ts), compressed where that pays, and in an encrypted
 *   repository sealed with the repository's data key.
 * The engine asks this object and nothing else, so formats differ in one place. Every chunk that
 * comes back is checked against its id (the SHA-256 of its bytes) whatever the format.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { sha256, sha256Async } from '../model/hashing.js';
import { WRITES_DEFLATE } from './compression.js';
import { MAX_DICTIONARY, MAX_DICTIONARY_CHUNK } from './dictionary-compression.js';
import {
  decodeFrame,
  decodeFrameAsync,
  encodeFrame,
  encodeFrameParts,
  encodeFramePartsWithDictionary,
  encodeMetadataFrame,
  open,
  seal,
  sealPartsInto,
  SEAL_OVERHEAD,
  openInPlace,
  type DictionaryIn,
  type DictionaryOf,
  type PackDictionary,
} from './frame.js';

export type { DictionaryOf, PackDictionary } from './frame.js';

/** A chunk is at most 64 MiB (§3.4); a frame claiming more is refused before any allocation. */
const MAX_CHUNK = 64 * 1024 * 1024;

export interface RepositoryCodec {
  readonly format: 1 | 2;
  readonly encrypted: boolean;
  /** The stored bytes of a segment whose key will be `<stem>-<hash16>` (`stem`: `log/<writer>/<seq>`). */
  storeSegment(json: string, stem: string): Uint8Array;
  /** A stored segment's JSON, at most `maxJson` bytes; throws (with why) when it cannot be read. */
  loadSegment(stored: Uint8Array, stem: string, maxJson: number): Uint8Array;
  /** The bytes to put in a pack for a chunk. */
  storeChunk(hash: string, bytes: Uint8Array): Uint8Array;
  /**
   * A chunk's bytes read from a pack, verified against its id; undefined when they are not it.
   * `packStart`: the pack's first bytes, where the caller has them, for a chunk stored with the
   * pack's dictionary (format 7); without them such a chunk does not load.
   */
  loadChunk(hash: string, stored: Uint8Array, packStart?: Uint8Array): Uint8Array | undefined;
  /**
   * `storeChunk` with the heavy work (compression) on the thread pool, so several chunks are
   * encoded at once on every core; the pack writes the result into its buffer (`writeInto`),
   * and a chunk that does not compress is never copied on the way. What either stores, either
   * loads (the bytes may differ: zstd streamed leaves out the content size). With `dictionary`
   * (format 7, `chunkDictionaries`), a small chunk may be stored with it: the pack it goes into
   * must then start with that dictionary's frame (`usesDictionary`).
   */
  encodeChunk(hash: string, bytes: Uint8Array, dictionary?: PackDictionary): Promise<EncodedChunk>;
  /**
   * `loadChunk` with decompression and hashing on the thread pool; a pack's dictionary is read
   * through `dictionaryOf`. `scratch`: the caller needs `stored` no more, so a sealed chunk is
   * opened in its place (frame.ts, `openInPlace`); `stored` then holds no ciphertext after.
   */
  loadChunkAsync(hash: string, stored: Uint8Array, dictionaryOf?: DictionaryOf, scratch?: boolean): Promise<Uint8Array | undefined>;
  /** Whether packs written now may hold a dictionary (format 7, on a runtime that writes deflate); asked at each pack writer. */
  chunkDictionaries(): boolean;
  /** A pack's dictionary frame, as the pack's first bytes store it. */
  storeDictionary(plain: Uint8Array): Uint8Array;
  /** A dictionary frame read from a pack's first bytes; undefined when it does not open or decode. */
  loadDictionary(stored: Uint8Array): Uint8Array | undefined;
}

/** A chunk encoded for a pack (`encodeChunk`). */
export interface EncodedChunk {
  /** Its length as stored. */
  readonly length: number;
  /** Whether it is stored with its pack's dictionary. */
  readonly usesDictionary: boolean;
  /** Writes its stored bytes at `at` in `target`, which has `length` bytes of room there; sealed there where the repository is encrypted. */
  writeInto(target: Uint8Array, at: number): void;
}

/** An encoded chunk whose stored bytes are `parts`, one after the other. */
function encodedAs(parts: readonly Uint8Array[], usesDictionary = false): EncodedChunk {
  return {
    length: parts.reduce((n, p) => n + p.byteLength, 0),
    usesDictionary,
    writeInto(target, at) {
      for (const p of parts) {
        target.set(p, at);
        at += p.byteLength;
      }
    },
  };
}

/** An encoded chunk's stored bytes in a buffer of their own (tests, and a caller with no pack). */
export function storedBytes(chunk: EncodedChunk): Buffer {
  const out = Buffer.allocUnsafe(chunk.length);
  chunk.writeInto(out, 0);
  return out;
}

export const FORMAT_1: RepositoryCodec = {
  format: 1,
  encrypted: false,
  storeSegment: (json) => new Uint8Array(gzipSync(json, { level: 6 })),
  loadSegment: (stored, _stem, maxJson) => gunzipSync(stored, { maxOutputLength: maxJson }),
  storeChunk: (_hash, bytes) => bytes,
  loadChunk: (hash, stored) => (sha256(stored) === hash ? stored : undefined),
  encodeChunk: async (_hash, bytes) => encodedAs([bytes]),
  loadChunkAsync: async (hash, stored) => ((await sha256Async(stored)) === hash ? stored : undefined),
  chunkDictionaries: () => false,
  storeDictionary: () => {
    throw new Error('format 1 has no dictionaries');
  },
  loadDictionary: () => undefined,
};

/**
 * Format 2 and its successors; with `dataKey` (32 bytes, from the keyring) everything is sealed.
 * `brotliMetadata`: whether segments and other JSON objects are written with brotli (format 6,
 * §3.5), asked at each write (a repository upgraded while a library is open switches then); a
 * repository of an earlier format keeps deflate, which its other nodes (earlier releases) read.
 * Every codec is read whatever the format.
 */
export function format2Codec(dataKey?: Uint8Array, brotliMetadata: () => boolean = () => false, dictionaries: () => boolean = () => false): RepositoryCodec {
  const segmentAad = (stem: string) => `syncacross/2 segment ${stem}`;
  const chunkAad = (hash: string) => `syncacross/2 chunk ${hash}`;
  const { storeDictionary, loadDictionary, dictionaryIn } = packDictionaryCodec(dataKey);
  return {
    format: 2,
    encrypted: dataKey !== undefined,
    storeSegment(json, stem) {
      const bytes = Buffer.from(json, 'utf8');
      const frame = brotliMetadata() ? encodeMetadataFrame(bytes) : encodeFrame(bytes, true);
      return dataKey ? seal(dataKey, frame, segmentAad(stem)) : frame;
    },
    loadSegment(stored, stem, maxJson) {
      const frame = dataKey ? open(dataKey, stored, segmentAad(stem)) : stored;
      if (!frame) throw new Error('it does not authenticate with this repository key (altered, truncated, moved from another name, or from another repository)');
      const json = decodeFrame(frame, maxJson);
      if (!json) throw new Error(`its frame does not decode within ${maxJson} bytes`);
      return json;
    },
    storeChunk(hash, bytes) {
      const frame = encodeFrame(bytes, true);
      return dataKey ? seal(dataKey, frame, chunkAad(hash)) : frame;
    },
    loadChunk(hash, stored, packStart) {
      const frame = dataKey ? open(dataKey, stored, chunkAad(hash)) : stored;
      const bytes = frame && decodeFrame(frame, MAX_CHUNK, dictionaryIn(packStart));
      return bytes && sha256(bytes) === hash ? bytes : undefined;
    },
    async encodeChunk(hash, bytes, dictionary) {
      const { parts: frame, usesDictionary } =
        dictionary && bytes.byteLength <= MAX_DICTIONARY_CHUNK ? await encodeFramePartsWithDictionary(bytes, dictionary) : { parts: await encodeFrameParts(bytes), usesDictionary: false };
      if (!dataKey) return encodedAs(frame, usesDictionary);
      // Sealed on the main thread, in the pack's buffer: AES-GCM with the CPU's instructions costs
      // far less than compressing, and nothing holds the ciphertext but the pack (frame.ts).
      const aad = chunkAad(hash);
      return { length: frame.reduce((n, p) => n + p.byteLength, 0) + SEAL_OVERHEAD, usesDictionary, writeInto: (target, at) => void sealPartsInto(dataKey, frame, aad, target, at) };
    },
    chunkDictionaries: () => WRITES_DEFLATE && dictionaries(),
    storeDictionary,
    loadDictionary,
    async loadChunkAsync(hash, stored, dictionaryOf, scratch) {
      // Opening stays here too (bench: restore and download of the scale-1 library, 780 MiB):
      // WebCrypto's AES-GCM on the thread pool copied every chunk in and queued behind the fsyncs,
      // and cost more wall time (restore 6.2 s against 5.5 s) than node:crypto's 1.4 GB/s here.
      // So did worker threads (session 42: a copy of each sealed chunk posted to a pool of
      // workers, the frame transferred back): download 12.7 s against 12.3 s, median of 3
      // alternating, 60 MB more peak RSS. A download is bound by both cores, not by this thread.
      const aad = chunkAad(hash);
      const frame = dataKey ? (scratch ? openInPlace(dataKey, stored, aad) : open(dataKey, stored, aad)) : stored;
      const bytes = frame && (await decodeFrameAsync(frame, MAX_CHUNK, dictionaryOf));
      return bytes && (await sha256Async(bytes)) === hash ? bytes : undefined;
    },
  };
}

/** How a pack's dictionary frame is stored (format 7, §3.3), and found in a pack's first bytes. */
function packDictionaryCodec(dataKey: Uint8Array | undefined) {
  // Every dictionary of the repository opens under one name: which pack's it is, is not checked,
  // and need not be, since a chunk decoded with another one fails its hash.
  const aad = 'syncacross/7 dictionary';
  const loadDictionary = (stored: Uint8Array) => {
    const frame = dataKey ? open(dataKey, stored, aad) : stored;
    return frame && decodeFrame(frame, MAX_DICTIONARY);
  };
  return {
    storeDictionary(plain: Uint8Array): Uint8Array {
      const frame = encodeFrame(plain, true);
      return dataKey ? seal(dataKey, frame, aad) : frame;
    },
    loadDictionary,
    dictionaryIn:
      (packStart: Uint8Array | undefined): DictionaryIn =>
      (length) =>
        packStart && packStart.byteLength >= length ? loadDictionary(packStart.subarray(0, length)) : undefined,
  };
}
