/**
 * Codec 4 (format 7, docs/PROTOCOL.md §3.5): raw deflate with a preset dictionary, for small
 * chunks (a database page, a note). Compressed one by one, a 4 KiB page starts with an empty
 * window and pays in full for every word and structure the pages before it already spelled;
 * deflate's preset dictionary (RFC 1950 §2.2, `dictionary` in node:zlib, on every runtime) fills
 * that window first. The dictionary is a pack's: the first frame of every pack holding such a chunk.
 *
 * Measured (session 57, Node 20, the benchmark library): its 18,057 database pages deflated one by
 * one take 28.09 MiB, 25.12 with a dictionary of four of its pages (16 KiB), 24.58 with four
 * spread through the file; its 5,000 notes 21.73 MiB, 19.2-19.8 with 16-32 KiB of other notes or
 * pages. Deflate's window is 32 KiB, so a larger dictionary can help no more, and a chunk past
 * 64 KiB gains too little of it to be worth the dictionary's read.
 */
import * as zlib from 'node:zlib';
import { exactOutput } from './output-buffers.js';
import { deflateRawWithDictionary, inflateRawWithDictionary } from './reused-zlib.js';
import { deflateOptions, onPool, POOL_MIN_COMPRESS, POOL_MIN_DECOMPRESS, type AsyncCodec } from './compression.js';

/** The dictionary's plain bytes at most (deflate's window). */
export const MAX_DICTIONARY = 32 * 1024;
/** Chunks larger than this are compressed without the dictionary. */
export const MAX_DICTIONARY_CHUNK = 64 * 1024;

/** Raw deflate (at codec 1's level) of `bytes` with `dictionary` preset. */
export function deflateWithDictionary(bytes: Uint8Array, dictionary: Uint8Array): Promise<Uint8Array> {
  const options = deflateOptions(bytes.byteLength, dictionary.byteLength);
  if (bytes.byteLength < POOL_MIN_COMPRESS) return Promise.resolve(deflateRawWithDictionary(bytes, options, dictionary));
  return onPool(zlib.deflateRaw as unknown as AsyncCodec, bytes, { ...options, dictionary });
}

/** Exactly `length` bytes, or undefined (damaged, hostile, or another dictionary than the writer's). */
export function inflateWithDictionary(payload: Uint8Array, length: number, dictionary: Uint8Array): Uint8Array | undefined {
  return inflateRawWithDictionary(payload, length, dictionary);
}

/** `inflateWithDictionary`, a large payload off the main thread. */
export async function inflateWithDictionaryAsync(payload: Uint8Array, length: number, dictionary: Uint8Array): Promise<Uint8Array | undefined> {
  if (payload.byteLength < POOL_MIN_DECOMPRESS) return inflateWithDictionary(payload, length, dictionary);
  try {
    const out = await onPool(zlib.inflateRaw as unknown as AsyncCodec, payload, { ...exactOutput(length), dictionary });
    return out.byteLength === length ? out : undefined;
  } catch {
    return undefined;
  }
}
