/**
 * The dictionary a pack writer compresses small chunks with (format 7, docs/PROTOCOL.md §3.5):
 * the first 4 KiB of each of the first four small chunks it takes that compress (16 KiB at most). They are what the
 * library repeats (a database's pages, a folder of notes), which a chunk compressed alone cannot
 * borrow. Measured on the benchmark library (codec/dictionary-compression.ts): 16 KiB of a
 * database's first pages store its pages in 25.1 MiB against 28.1, its notes in 19.8 against 21.7;
 * 32 KiB saved 0.2 MiB more, for twice the bytes ahead of each pack and in each reader's cache.
 */
import { deflateRawSync } from 'node:zlib';
import { MAX_DICTIONARY_CHUNK } from '../codec/dictionary-compression.js';

const DICTIONARY_SIZE = 16 * 1024;
const SAMPLE_PER_CHUNK = 4 * 1024;
/** Or this many samples, however small: a round that uploads a few short notes gets a dictionary too. */
const SAMPLES = 4;
/**
 * Only samples that compress to at most this fraction go in: a small chunk may be the tail of an
 * image or an archive, and a dictionary of noise helps nothing (the first try took the tails of
 * the benchmark's random attachments). A writer that meets this many that do not gives up.
 */
const COMPRESSES_TO = 0.8;
const MAX_TRIES = 64;
/** Room kept ahead of a pack's chunks for the dictionary's frame (its plain bytes, a frame header, a seal's nonce and tag). */
export const DICTIONARY_ROOM = DICTIONARY_SIZE + 64;

export class DictionarySampler {
  private readonly samples: Uint8Array[] = [];
  private size = 0;
  private tries = 0;

  /** Takes a sample of `chunk` (copied: chunks are views of read buffers); the dictionary once there is enough. */
  take(chunk: Uint8Array): Uint8Array | undefined {
    if (chunk.byteLength > MAX_DICTIONARY_CHUNK || chunk.byteLength < 64 || this.tries >= MAX_TRIES) return undefined;
    const sample = Buffer.from(chunk.subarray(0, Math.min(SAMPLE_PER_CHUNK, DICTIONARY_SIZE - this.size)));
    // Level 1: a quick judgement, not the stored form.
    if (deflateRawSync(sample, { level: 1 }).byteLength > sample.byteLength * COMPRESSES_TO) {
      this.tries++;
      return undefined;
    }
    this.samples.push(sample);
    this.size += sample.byteLength;
    return this.size >= DICTIONARY_SIZE || this.samples.length >= SAMPLES ? Buffer.concat(this.samples) : undefined;
  }
}
