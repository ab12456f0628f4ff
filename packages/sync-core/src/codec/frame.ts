/**
 * How format 2 stores a chunk or a segment's JSON (docs/PROTOCOL.md §3.5): a frame
 *
 *   codec (1 byte) ‖ original length (4 bytes, big-endian) ‖ payload
 *
 * and, in an encrypted repository, that frame sealed with AES-256-GCM:
 *
 *   nonce (12 random bytes) ‖ ciphertext ‖ tag (16 bytes)
 *
 * with associated data naming what the object is (its kind and its key or chunk id), so an
 * object moved to another name, another repository's object, or a flipped bit fails to open.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { compress, compressAsync, compressMetadata, decompress, decompressAsync, WORTH, type Codec } from './compression.js';
import { deflateWithDictionary, inflateWithDictionary, inflateWithDictionaryAsync } from './dictionary-compression.js';

const HEADER = 5;
const NONCE = 12;
const TAG = 16;
export const SEAL_OVERHEAD = NONCE + TAG;

// Every seal takes 12 random bytes of its own, as before, but they are drawn from the CSPRNG a
// thousand nonces at a time: a `randomBytes` call costs 3-9 µs whatever its size, and an encrypted
// upload seals one chunk per note and per database page (about 24,000 for the benchmark library),
// which was 0.22 s of the main thread, the thread that bounds an upload, in a CPU profile (session
// 52). Each batch is a new buffer, never refilled: a nonce handed out may still be in a pack being
// filled. The nonces are not secret (each is stored beside its ciphertext); only their
// uniqueness matters, and that is the randomness of 96 bits, batch or not.
const NONCES_PER_DRAW = 1024;
let nonces = Buffer.alloc(0);
let nextNonce = 0;
function freshNonce(): Buffer {
  if (nextNonce + NONCE > nonces.byteLength) {
    nonces = randomBytes(NONCE * NONCES_PER_DRAW);
    nextNonce = 0;
  }
  nextNonce += NONCE;
  return nonces.subarray(nextNonce - NONCE, nextNonce);
}

export function encodeFrame(bytes: Uint8Array, compressible: boolean): Buffer {
  return frameOf(bytes, compressible ? compress(bytes) : { codec: 0, payload: bytes });
}

/** A frame of metadata JSON as format 6 writes it: brotli with a large window (compression.ts). */
export function encodeMetadataFrame(bytes: Uint8Array): Buffer {
  return frameOf(bytes, compressMetadata(bytes));
}

/**
 * `encodeFrame`, compressing off the main thread, as its parts: the header and the payload, which
 * is `bytes` itself when it does not compress. Whoever stores the frame copies the parts where it
 * wants them (a pack), so a chunk is not copied into a frame first.
 */
export async function encodeFrameParts(bytes: Uint8Array): Promise<Uint8Array[]> {
  const { codec, payload } = await compressAsync(bytes);
  const header = Buffer.allocUnsafe(HEADER);
  header[0] = codec;
  header.writeUInt32BE(bytes.byteLength, 1);
  return [header, payload];
}

function frameOf(bytes: Uint8Array, { codec, payload }: { codec: Codec; payload: Uint8Array }): Buffer {
  const frame = Buffer.allocUnsafe(HEADER + payload.byteLength);
  frame[0] = codec;
  frame.writeUInt32BE(bytes.byteLength, 1);
  frame.set(payload, HEADER);
  return frame;
}

/**
 * Format 7's codec 4 (§3.5): deflate with the pack's dictionary, whose frame is the pack's first
 * `storedLength` bytes. Its frame says that length after the usual header:
 *
 *   4 ‖ original length (4 bytes) ‖ dictionary's stored length (2 bytes, big-endian) ‖ payload
 */
const DICTIONARY_CODEC = 4;
const DICTIONARY_HEADER = HEADER + 2;

/** The dictionary chunks of a pack are written with: its plain bytes, and the length of its frame as the pack stores it. */
export interface PackDictionary {
  plain: Uint8Array;
  storedLength: number;
}

/** A pack's dictionary, given the length of its stored frame (the pack's first bytes); undefined when it cannot be read or opened. */
export type DictionaryOf = (storedLength: number) => Promise<Uint8Array | undefined>;
/** The same where the pack's first bytes are at hand. */
export type DictionaryIn = (storedLength: number) => Uint8Array | undefined;

/** `encodeFrameParts` with the pack's dictionary (codec 4), or as is when even that saves too little. */
export async function encodeFramePartsWithDictionary(bytes: Uint8Array, dictionary: PackDictionary): Promise<{ parts: Uint8Array[]; usesDictionary: boolean }> {
  const payload = await deflateWithDictionary(bytes, dictionary.plain);
  const usesDictionary = payload.byteLength <= bytes.byteLength * WORTH;
  const header = Buffer.allocUnsafe(usesDictionary ? DICTIONARY_HEADER : HEADER);
  header[0] = usesDictionary ? DICTIONARY_CODEC : 0;
  header.writeUInt32BE(bytes.byteLength, 1);
  if (usesDictionary) header.writeUInt16BE(dictionary.storedLength, HEADER);
  return { parts: [header, usesDictionary ? payload : bytes], usesDictionary };
}

/**
 * The original bytes, or undefined when the frame is malformed, over `maxLength`, or does not
 * decode (codec 4: also when its pack's dictionary is not in `dictionaryIn`).
 */
export function decodeFrame(frame: Uint8Array, maxLength: number, dictionaryIn?: DictionaryIn): Uint8Array | undefined {
  const length = frameLength(frame, maxLength);
  if (length === undefined) return undefined;
  if (frame[0] !== DICTIONARY_CODEC) return decompress(frame[0]!, frame.subarray(HEADER), length);
  const dictionary = frame.byteLength >= DICTIONARY_HEADER ? dictionaryIn?.(dictionaryLength(frame)) : undefined;
  return dictionary && inflateWithDictionary(frame.subarray(DICTIONARY_HEADER), length, dictionary);
}

/** `decodeFrame`, decompressing off the main thread; codec 4's dictionary is fetched through `dictionaryOf`. */
export async function decodeFrameAsync(frame: Uint8Array, maxLength: number, dictionaryOf?: DictionaryOf): Promise<Uint8Array | undefined> {
  const length = frameLength(frame, maxLength);
  if (length === undefined) return undefined;
  if (frame[0] !== DICTIONARY_CODEC) return decompressAsync(frame[0]!, frame.subarray(HEADER), length);
  const dictionary = frame.byteLength >= DICTIONARY_HEADER ? await dictionaryOf?.(dictionaryLength(frame)) : undefined;
  return dictionary && inflateWithDictionaryAsync(frame.subarray(DICTIONARY_HEADER), length, dictionary);
}

const dictionaryLength = (frame: Uint8Array) => Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength).readUInt16BE(HEADER);

function frameLength(frame: Uint8Array, maxLength: number): number | undefined {
  if (frame.byteLength < HEADER) return undefined;
  const length = Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength).readUInt32BE(1);
  return length > maxLength ? undefined : length;
}

export function seal(key: Uint8Array, plain: Uint8Array, aad: string): Buffer {
  const nonce = freshNonce();
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const body = cipher.update(plain);
  const rest = cipher.final();
  return Buffer.concat([nonce, body, rest, cipher.getAuthTag()]);
}

/**
 * Each `cipher.update` answers a fresh buffer. Above glibc's mmap threshold that is fresh pages,
 * faulted in one by one and unmapped once used: sealing 800 MiB in 4 MiB updates took 0.9-1.1 s
 * (a third of it in the kernel), in 16-32 KiB updates 0.56-0.75 s, the buffers then coming from
 * memory malloc reuses. Each piece is copied over the bytes it enciphers (or deciphers) at once.
 */
const SEAL_PIECE = 32 * 1024;

/**
 * CIPHERTEXT_AS_STRINGS: `sealPartsInto` asks each piece's ciphertext as a latin1 string (one
 * character per byte, so the bytes come back exactly), not as a buffer. A buffer's bytes are V8
 * "external memory", and V8 counts external memory allocated since its last full collection
 * against the old generation's limit (v8/src/heap/heap.h, `OldGenerationSpaceAvailable`: "just add
 * allocated external bytes towards the regular old gen bytes. This is historic behavior"). Sealing
 * a pack's worth of chunks allocates a pack's worth of such buffers faster than minor collections
 * free them, and the heap is small (the command keeps its growth at half, v8-heap.mjs), so an
 * encrypted first upload of the benchmark library ran 52-55 full collections against an
 * unencrypted one's 9 (`--trace-gc`). A piece of 32 KiB as a string is an ordinary young object,
 * freed by the next minor collection and never counted so: 9 full collections, user CPU 8.1-9.0 s
 * against 9.2-9.4, wall 8.04-8.72 s against 8.63-8.94, peak RSS 141-148 MB against 147-158 (Node
 * 20, 4 alternating runs each, session 77); Node 24: 24-26 full collections against 74-76, user
 * CPU 6.3-6.5 s against 7.2-7.4 (3 runs each). Pieces stay well under 1 MB, past which Node makes an
 * external string of them. `openInPlace` does the same since ranges are read into buffers used
 * again (engine/range-buffers.ts); before, when the ranges' own memory started a download's full
 * collections, strings made a restore slower (7.5-8.4 s against 7.1-7.3). Session 81, the
 * encrypted benchmark library from a folder on tmpfs, 3 alternating runs each: Node 20 download
 * 4.09-4.27 s against 4.35-4.67 at 133-136 MB against 145-146, restore 4.02-4.50 s against
 * 4.39-4.70 at 132-137 MB against 142-149; Node 24 download 3.94-4.14 s against 4.35-4.46 at 150-159
 * MB against 164-167, restore 3.95-4.24 s against 4.40-4.55 at 150-156 MB against 162-166.
 */

/**
 * `seal` of the concatenation of `parts`, written at `at` in `target` (which has room for the
 * parts and SEAL_OVERHEAD) and enciphered there: the pack buffer itself. Sealing into fresh
 * pieces held every chunk's ciphertext a second time while up to eight chunks waited for their
 * turn in the pack, and malloc kept that memory: a first upload of the encrypted benchmark
 * library peaked 10-15 MB above an unencrypted one. Returns the bytes written.
 */
export function sealPartsInto(key: Uint8Array, parts: readonly Uint8Array[], aad: string, target: Uint8Array, at: number): number {
  const nonce = freshNonce();
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  target.set(nonce, at);
  let end = at + NONCE;
  for (const p of parts) {
    target.set(p, end);
    end += p.byteLength;
  }
  // GCM enciphers byte for byte: each piece's ciphertext takes its plaintext's place, handed over
  // as a string (CIPHERTEXT_AS_STRINGS).
  const body = Buffer.from(target.buffer, target.byteOffset + at + NONCE, end - at - NONCE);
  for (let i = 0; i < body.byteLength; i += SEAL_PIECE) body.write(cipher.update(body.subarray(i, i + SEAL_PIECE), undefined, 'latin1'), i, 'latin1');
  cipher.final(); // GCM keeps no partial block: nothing more to write
  target.set(cipher.getAuthTag(), end);
  return end + TAG - at;
}

/**
 * `open`, with the plaintext written over the ciphertext: the caller's `sealed` is its to
 * overwrite, and the plaintext is a view of it (no buffer of its size allocated). `open` of a
 * chunk answers a fresh buffer as large as the chunk, held until its file is written: in a
 * download of the benchmark library, eight files written at once made that 15-20 MB more peak
 * RSS than an unencrypted download (whose chunks are views of what was read). Deciphered in
 * pieces of SEAL_PIECE, each copied back at once (as a string: CIPHERTEXT_AS_STRINGS).
 * When authentication fails, `sealed` holds garbage: undefined, as from `open`.
 */
export function openInPlace(key: Uint8Array, sealed: Uint8Array, aad: string): Uint8Array | undefined {
  if (sealed.byteLength < SEAL_OVERHEAD) return undefined;
  try {
    const { decipher, body } = decipherOf(key, sealed, aad);
    // GCM deciphers byte for byte: each piece's plaintext has its ciphertext's length and place.
    // Each piece's plaintext comes as a string, not a buffer (CIPHERTEXT_AS_STRINGS).
    const out = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    for (let at = 0; at < body.byteLength; at += SEAL_PIECE) out.write(decipher.update(body.subarray(at, at + SEAL_PIECE), undefined, 'latin1'), at, 'latin1');
    decipher.final(); // throws unless the tag authenticates everything deciphered
    return body;
  } catch {
    return undefined;
  }
}

/** The plaintext, or undefined when authentication fails (wrong key, altered, truncated, or moved). */
export function open(key: Uint8Array, sealed: Uint8Array, aad: string): Buffer | undefined {
  if (sealed.byteLength < SEAL_OVERHEAD) return undefined;
  try {
    const { decipher, body: ciphertext } = decipherOf(key, sealed, aad);
    const body = decipher.update(ciphertext);
    const rest = decipher.final(); // GCM has no block left over: no copy of a whole chunk to join nothing
    return rest.byteLength === 0 ? body : Buffer.concat([body, rest]);
  } catch {
    return undefined;
  }
}

/** A decipher set up for `sealed` (nonce, ciphertext, tag) and its ciphertext; `createDecipheriv` may throw on a bad key. */
function decipherOf(key: Uint8Array, sealed: Uint8Array, aad: string) {
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, NONCE));
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(sealed.subarray(sealed.byteLength - TAG));
  return { decipher, body: sealed.subarray(NONCE, sealed.byteLength - TAG) };
}
