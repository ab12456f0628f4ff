/**
 * Fetches chunks for materialization with few requests: neighbouring chunks of one pack that
 * are wanted together are read with one ranged get (up to a window), and every chunk is
 * verified against its hash before use (a truncated or altered pack is never written).
 *
 * A chunk may have several locations (uploaded again after a loss, or named by several
 * segments, some perhaps hostile): they are tried in turn until one verifies. Every read that
 * failed is kept in `failures`, for pack-health.ts to sort a torn or damaged pack (retry, then
 * repair) from a bogus location (forget it).
 */
import type { Storage } from '../storage/contract.js';
import { isStorageError, StorageError } from '../storage/errors.js';
import { checkAborted } from '../model/abort.js';
import type { RepositoryCodec } from '../codec/repository-codec.js';
import type { ChunkLocation } from '../model/chunk-location.js';
import type { Locate } from './chunk-locations.js';
import { RangeBuffers } from './range-buffers.js';
import { ReadAhead } from './read-ahead.js';
import { PackDictionaries } from './pack-dictionary-reader.js';
import { WrittenSpans } from './written-spans.js';

/**
 * How much one ranged read may bring, and how much may wait read ahead of its writers (read-ahead.ts),
 * by what a request costs the storage. A range stays whole in memory while any chunk of it waits,
 * so each writer under way can hold a window, and a full read-ahead of large ranges holds more
 * than its budget says.
 * - Where a read is a system call (`capabilities.cheapRequests`: a folder), large reads only hold
 *   memory. Session 62, a first download of the benchmark library from a folder, 1 and 4 MiB
 *   against 4 and 24, 4 runs each: peak RSS 154-157 MB against 183-194, download medians 6.6 s
 *   against 6.7, a restore 153-158 MB against 179-186 in 6.2 s against 6.7. It made 806 reads
 *   instead of 289, each a system call, of 820 MB instead of 841.
 * - Where each read is a round trip (HTTP), reads are larger: eight writers reading at once keep
 *   8 × 4 MiB under way, more than a link's bandwidth times its latency up to 100 MB/s at 300 ms,
 *   so fewer, larger reads would save requests, not time, on most links. Session 66, through
 *   Apache WebDAV on loopback (Node 20, alternating runs): 4 and 16 MiB against 16 and 64,
 *   download 8.4-9.1 s against 8.5-8.9 at peak RSS 179 MB against 245-261 (3 runs each), restore
 *   8.0-8.8 s against 8.1-8.7 at 179-184 MB against 249-256; about 335 requests against 135. 2 and
 *   8 MiB: 8.2-9.0 s at 164-170 MB, in 570 requests. (Session 50's 32 MiB read-ahead slowed a
 *   restore, 26-32 s against 21 with 64: reads then shrank to single chunks, before writers shared
 *   reads and planned their chunks.)
 * - HTTP itself holds more than a folder's reads at any sizes. Session 79 (Node 20, WebDAV, one or
 *   two runs each, times within their spread): 4 and 16 MiB 181-188 MB in 330 requests, 2 and 8
 *   178 MB, 4 and 4 167-170 MB in 607-634, a folder's 1 and 4 164-170 MB in 813 (145 from a
 *   folder). Each 64 KiB socket read is memory of its own and node:http copies its body bytes into
 *   more (`on_body` in src/node_http_parser.cc: `Buffer::Copy`), all left to the collector: a bare
 *   loop of these reads (8 × 4 MiB at once) peaked at 206-213 MB. undici 6, whose bodies are views
 *   of the socket's reads, peaked higher in the same loop (233-239 MB: its WebAssembly parser).
 * - What ranges cost beyond their bytes: each in new memory is array-buffer memory, counted against
 *   the heap's tight limit (cli/bin/v8-heap.mjs) and promoted before it dies, so a folder download
 *   of the benchmark library ran 39 full collections, a fifth of its CPU. A caller that releases
 *   what it wrote has ranges read into buffers used again (range-buffers.ts): 9 full collections.
 *   Session 81 (Node 20, tmpfs, alternating, 3 runs each): download 3.21-3.73 s against 3.81-4.96
 *   (CPU 4.1-4.7 s against 5.2-6.5), restore 2.96-3.13 against 3.56-4.33, peak RSS 135-143 MB
 *   against 137-143.
 */
const SIZES = {
  roundTrips: { window: 4 * 1024 * 1024, readAhead: 16 * 1024 * 1024 },
  cheap: { window: 1024 * 1024, readAhead: 4 * 1024 * 1024 },
};
const MAX_GAP = 1024 * 1024;
/** A read starting within this of a pack's beginning is made from it (its dictionary's frame, in format 7, is there). */
const FROM_START = 16 * 1024;

/** Buffers given back and not lent again yet are kept up to this (range-buffers.ts). */
const KEPT_BUFFERS = 16 * 1024 * 1024;

type ReadRange = { pack: string; offset: number; bytes: Uint8Array };
/** A ranged read under way, its writers (`claims`, until its bytes came: then they hold them). */
type Inflight = { pack: string; offset: number; end: number; read: Promise<ReadRange | 'missing'>; claims: number; bytes?: Uint8Array };

export type ReadFailure = { hash: string; pack: string; offset: number; length: number; kind: 'missing' | 'short' | 'mismatch' };

export class ChunkFetcher {
  private wanted = new Map<string, ChunkLocation[]>(); // pack → needed chunks sorted by offset
  /** Locations looked up by `plan`, so each chunk costs one lookup (the state does not change meanwhile). */
  private readonly planned = new Map<string, ChunkLocation[]>();
  private readonly ahead: ReadAhead;
  /** The most one ranged read brings (SIZES). */
  private readonly window: number;
  /** Ranged reads under way, so concurrent writers of neighbouring files share them. */
  private inflight: Inflight[] = [];
  /** What ranges are read into, used again once their chunks are written (`release`), for a caller that releases them. */
  private readonly buffers?: RangeBuffers;
  readonly failures: ReadFailure[] = [];
  /** Packs from which a chunk was read and verified this round. */
  readonly readOk = new Set<string>();
  private readonly dictionaries: PackDictionaries;
  /**
   * Stored bytes opened in place (`read`): the spans of each range's memory written over. Spans,
   * not chunks: a location a hostile segment gave may overlap another chunk's bytes.
   */
  private readonly overwritten = new WeakMap<ArrayBufferLike, WrittenSpans>();

  constructor(
    private readonly storage: Storage,
    /** How chunks are stored (format, key): each read is decoded and verified through it. */
    private readonly codec: RepositoryCodec,
    /** Every known location of a chunk, the one to try first first (and of many at once, where it can). */
    private readonly locate: Locate,
    private readonly signal?: AbortSignal,
    /** Whether the caller hands every chunk it was given and wrote to `release` (the materializer does). */
    options: { reusesBuffers?: boolean } = {},
  ) {
    this.dictionaries = new PackDictionaries(storage, codec);
    const sizes = storage.capabilities.cheapRequests === true ? SIZES.cheap : SIZES.roundTrips;
    this.window = sizes.window;
    if (options.reusesBuffers) this.buffers = new RangeBuffers(sizes.window + FROM_START, KEPT_BUFFERS);
    this.ahead = new ReadAhead(sizes.readAhead, this.buffers);
  }

  /** Declares the chunks about to be read, once per use, so ranges can be merged and each read once. */
  plan(hashes: Iterable<string>): void {
    const byPack = new Map<string, Map<string, ChunkLocation>>();
    const list = [...hashes];
    const fresh = [...new Set(list)].filter((h) => !this.planned.has(h));
    const found = fresh.length > 0 ? this.locate.many?.(fresh) : undefined;
    for (const h of list) {
      this.ahead.plan(h);
      if (this.planned.has(h)) continue;
      const locations = found?.get(h) ?? this.locate(h);
      this.planned.set(h, locations);
      const loc = locations[0];
      if (!loc) continue;
      const m = byPack.get(loc[1]) ?? new Map<string, ChunkLocation>();
      m.set(h, loc);
      byPack.set(loc[1], m);
    }
    for (const [pack, m] of byPack)
      this.wanted.set(
        pack,
        [...(this.wanted.get(pack) ?? []), ...m.values()].sort((a, b) => a[2] - b[2]),
      );
  }

  /**
   * A chunk, verified. It may be a view of a range's buffer: hand it to `release` once written, and
   * keep no view of it after (range-buffers.ts). A caller that never releases only costs memory.
   */
  async get(hash: string): Promise<Uint8Array> {
    try {
      return await this.fromAnyLocation(hash);
    } finally {
      this.ahead.used(hash);
    }
  }

  /** A chunk `get` gave is written: its buffer may take the next range once nothing else uses it. */
  release(chunk: Uint8Array): void {
    this.buffers?.release(chunk);
  }

  private async fromAnyLocation(hash: string): Promise<Uint8Array> {
    const locations = this.planned.get(hash) ?? this.locate(hash);
    if (locations.length === 0) throw new StorageError('Corrupt', `chunk ${hash.slice(0, 12)} has no known location (its segment is missing)`);
    let last: ReadFailure | undefined;
    for (const loc of locations) {
      const got = await this.read(hash, loc);
      if (got instanceof Uint8Array) return got;
      this.failures.push(got);
      last = got;
    }
    const why = { missing: 'is missing from the remote', short: 'is shorter than its index says', mismatch: 'does not match its hash' }[last!.kind];
    const where = locations.length > 1 ? ` (and ${locations.length - 1} other location(s) failed too)` : '';
    throw new StorageError(last!.kind === 'missing' ? 'NotFound' : 'Corrupt', `chunk ${hash.slice(0, 12)} in ${last!.pack} ${why}${where}`);
  }

  private async read(hash: string, loc: ChunkLocation): Promise<Uint8Array | ReadFailure> {
    const [, pack, offset, length] = loc;
    // The range's bytes this writer reads from, held (range-buffers.ts) until its chunk is decoded:
    // a read ahead may let go of them meanwhile.
    let held = this.ahead.peek(hash, pack, offset);
    if (held) this.buffers?.hold(held);
    let stored = held;
    try {
      for (let fresh = false; !stored || this.scratched(stored); fresh = true) {
        if (held) this.buffers?.release(held);
        held = undefined;
        // Files are written several at a time: a neighbour's read already under way may cover this
        // chunk, unless that read's copy of it was opened in place already (a use beyond the plan).
        const pending = fresh ? undefined : this.inflight.find((r) => r.pack === pack && r.offset <= offset && r.end >= offset + length);
        const got = await (pending ? this.share(pending) : this.readRange(hash, pack, offset, length));
        if (got === 'missing') return { hash, pack, offset, length, kind: 'missing' };
        held = got.bytes;
        if (got.offset + got.bytes.byteLength < offset + length) return { hash, pack, offset, length, kind: 'short' };
        stored = got.bytes.subarray(offset - got.offset, offset - got.offset + length);
        if (fresh) break; // a read of its own: nobody else has opened this copy
      }
      // The last use the plan knows of: no writer needs these stored bytes again, so a sealed chunk
      // is opened in their place (no buffer as large as the chunk). They are marked, so a use beyond
      // the plan reads the chunk again instead of taking plaintext for ciphertext.
      const scratch = this.codec.encrypted && this.ahead.lastUse(hash);
      if (scratch) this.scratch(stored);
      const chunk = stored.byteLength === length ? await this.codec.loadChunkAsync(hash, stored, this.dictionaries.of(pack), scratch) : undefined;
      if (!chunk) return { hash, pack, offset, length, kind: 'mismatch' };
      this.readOk.add(pack);
      this.buffers?.hold(chunk); // its writer's, until `release`
      return chunk;
    } finally {
      if (held) this.buffers?.release(held);
    }
  }

  /** A neighbour's read under way, for one more writer: it holds the bytes once they come. */
  private share(entry: Inflight): Promise<ReadRange | 'missing'> {
    if (entry.bytes) this.buffers?.hold(entry.bytes);
    else entry.claims++;
    return entry.read;
  }

  private scratch(stored: Uint8Array): void {
    const spans = this.overwritten.get(stored.buffer) ?? new WrittenSpans();
    spans.add(stored.byteOffset, stored.byteOffset + stored.byteLength);
    this.overwritten.set(stored.buffer, spans);
  }

  /** Whether any byte of `stored` was written over. */
  private scratched(stored: Uint8Array): boolean {
    return this.overwritten.get(stored.buffer)?.overlaps(stored.byteOffset, stored.byteOffset + stored.byteLength) === true;
  }

  /**
   * One ranged read from `offset`, extended over the following planned chunks of the same pack
   * not read yet (within a window, across small gaps); those it brings in wait for their writers.
   */
  private async readRange(hash: string, pack: string, offset: number, length: number): Promise<ReadRange | 'missing'> {
    const wanted = this.wanted.get(pack) ?? [];
    // Only as far as the read-ahead has room: chunks read beyond it would not be kept, and be read
    // again when their writers ask.
    this.ahead.reading();
    const limit = Math.min(this.window, this.ahead.room);
    let end = offset + length;
    for (let i = firstAtOrAfter(wanted, end); i < wanted.length; i++) {
      const w = wanted[i]!;
      if (w[2] < end) continue; // overlaps what is read already
      if (w[2] - end > MAX_GAP || w[2] + w[3] - offset > limit || !this.ahead.wants(w[0]) || this.underWay(pack, w)) break;
      end = w[2] + w[3];
    }
    checkAborted(this.signal);
    const ahead = end - offset - length;
    // A read that starts this close to a pack's beginning starts at it: the few bytes before are a
    // format-7 pack's dictionary (§3.3), which its chunks need and would otherwise cost a request.
    const from = offset <= FROM_START ? 0 : offset;
    const lent = this.buffers?.lend(end - from);
    const entry: Inflight = { pack, offset: from, end, claims: 1, read: Promise.resolve('missing') };
    entry.read = this.storage.get(pack, { range: { offset: from, length: end - from }, into: lent }).then(
      (bytes): ReadRange => {
        // Held by this read's writer and those sharing it; a failed read's buffer is not lent again.
        if (lent) this.buffers?.filled(lent, bytes, entry.claims);
        entry.bytes = bytes;
        if (from === 0) this.dictionaries.sawStart(pack, bytes);
        return { pack, offset: from, bytes };
      },
      (e: unknown) => {
        if (isStorageError(e, 'NotFound')) return 'missing' as const;
        throw e;
      },
    );
    // Reserved once the read is under way: a storage that threw at once would otherwise keep it.
    this.ahead.reserve(ahead);
    this.inflight.push(entry);
    try {
      const got = await entry.read;
      this.ahead.release(ahead);
      if (got !== 'missing') this.keepAhead(wanted, got, hash);
      return got;
    } catch (e) {
      this.ahead.release(ahead);
      throw e;
    } finally {
      this.inflight.splice(this.inflight.indexOf(entry), 1);
    }
  }

  /** The planned chunks a range holds whole, kept for their writers (not the one it was read for: its reader has it). */
  private keepAhead(wanted: ChunkLocation[], got: ReadRange, readFor: string): void {
    const end = got.offset + got.bytes.byteLength;
    for (let i = firstAtOrAfter(wanted, got.offset); i < wanted.length && wanted[i]![2] < end; i++) {
      const [hash, pack, offset, length] = wanted[i]!;
      if (hash !== readFor && offset + length <= end) this.ahead.keep(hash, pack, offset, got.bytes.subarray(offset - got.offset, offset - got.offset + length));
    }
  }

  private underWay(pack: string, w: ChunkLocation): boolean {
    return this.inflight.some((r) => r.pack === pack && r.offset <= w[2] && r.end >= w[2] + w[3]);
  }
}

/** The index of the first location at or after `offset` in a list sorted by offset. */
function firstAtOrAfter(sorted: ChunkLocation[], offset: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]![2] < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
