/**
 * Chunks are gathered into pack objects (8-32 MiB) so thousands of small files upload in tens of
 * requests. A pack is the concatenation of its chunks; its key is the hash of its bytes, so it is
 * write-once on any backend (a duplicate write is the same bytes). Where each chunk lives is
 * recorded in the segment that introduces it, which is written after the pack (data before
 * metadata).
 */
import type { EncodedChunk, PackDictionary, RepositoryCodec } from '../codec/repository-codec.js';
import type { Storage } from '../storage/contract.js';
import { sha256 } from '../model/hashing.js';
import { releaseBuffer } from '../model/release-buffer.js';
import { checkPack } from './pack-health.js';
import type { ChunkLocation } from '../model/chunk-location.js';
import { DictionarySampler, DICTIONARY_ROOM } from './pack-dictionary.js';

// 24 MiB: a library of ~1 GB is ~40 packs (WebDAV needs two requests per object), while the
// pack buffer stays a small part of the memory budget.
export const DEFAULT_PACK_SIZE = 24 * 1024 * 1024;
/**
 * Where a request costs nothing beyond its bytes (`capabilities.cheapRequests`: a folder), half
 * that: an upload holds two pack buffers (one filling while the other is written), and fewer,
 * larger objects buy nothing there. First upload of the benchmark library to a folder (Node 20,
 * alternating runs): peak RSS 148-152 MB against 170-174, wall times within the runs' spread
 * (8.4-10.3 s against 8.6-11.2); stored bytes the same.
 */
export const CHEAP_PACK_SIZE = 12 * 1024 * 1024;

/** The pack size a library writes at unless told otherwise. */
export const packSizeFor = (storage: Pick<Storage, 'capabilities'>): number => (storage.capabilities.cheapRequests === true ? CHEAP_PACK_SIZE : DEFAULT_PACK_SIZE);

/** Chunks encoding at once (about the thread pool's size, with some slack) and their bytes at most. */
const MAX_ENCODING = 8;
const MAX_ENCODING_BYTES = 32 * 1024 * 1024;
/** Room for one last chunk past the target size, so a pack is filled without regrowing. */
const PACK_SLACK = 4 * 1024 * 1024;
/**
 * Where the pack size is large (the default), a pack buffer past 128 KiB (glibc's initial mapping
 * size) is allocated at least this large, just above 32 MiB. glibc maps a large block on its own
 * and unmaps it when freed, but freeing such a block of up to 32 MiB raises the size from which it
 * maps to that block's size (`__libc_free` in malloc/malloc.c: the dynamic mmap threshold, capped
 * at DEFAULT_MMAP_THRESHOLD_MAX, 32 MiB on 64-bit). A 28 MiB pack buffer freed after every pack
 * raised it to 28 MiB, so every later block below that (read blocks, compressed chunks) came from
 * the heap, fragmented it, and stayed resident. A block above the cap leaves the threshold alone,
 * and its pages never written are never resident. First upload of the benchmark library: peak RSS
 * 219-236 MB against 242-292 (session 49, four runs each). Pack sizes below CHEAP_PACK_SIZE (tests
 * choose them) keep buffers of their own size.
 */
const PACK_ALLOCATION = 32 * 1024 * 1024 + 64 * 1024;

export class PackWriter {
  // Chunks are copied straight into one buffer per pack (no list of parts, no concatenation):
  // the pack is the only large allocation while uploading.
  private buffer: Buffer | undefined;
  private used = 0;
  private index: { hash: string; offset: number; length: number }[] = [];
  /**
   * Every chunk taken, pending or stored: a chunk met again is not packed twice, and not looked up
   * in the state either (scan-local.ts asks the state nothing on a first upload). About 30 bytes a
   * chunk besides its hash, which the versions hold anyway.
   */
  private readonly inPack = new Set<string>();
  /** Chunks added whose encoding is under way, oldest first, and their plain bytes in total. */
  private encoding: { hash: string; encoded: Promise<EncodedChunk>; size: number }[] = [];
  private encodingBytes = 0;
  /**
   * The previous pack's upload, still under way while this one fills (double buffering: the disk
   * or network writes one pack while the CPU reads, cuts and encodes the next). At most one: packs
   * still reach the storage one at a time, in order, and memory holds at most two.
   */
  private uploading: Promise<void> | undefined;
  /** A pack filled before: the next ones start at full size instead of growing by doubling. */
  private filledOne = false;
  /**
   * The buffer of the last pack stored, for the next one to fill. Its pages are resident already:
   * a fresh 32 MiB buffer is faulted in page by page as chunks are copied in (8,192 faults, each
   * a page the kernel zeroes first), and that was most of the time `place` took on the main thread
   * in a first upload. The storage keeps nothing of what it was given once a put resolves
   * (contract.ts, [callerMayReuseBytes]).
   */
  private spare: Buffer | undefined;
  /**
   * Format 7 (§3.3, §3.5): the dictionary small chunks are compressed with, made from the first
   * ones this writer takes, and written at the start of every pack that holds one of them. Room is
   * kept for its frame at the start of each pack buffer (`base`), so putting it there copies nothing.
   */
  private readonly sampler = new DictionarySampler();
  private dictionary: (PackDictionary & { stored: Uint8Array }) | undefined;
  private base = 0;
  private packUsesDictionary = false;
  /**
   * Whether this pack's small chunks take a dictionary: the repository's format, a read of the
   * state, asked once per pack rather than per chunk (0.3 s of a first upload's main
   * thread). A format only goes up, so a chunk encoded under one pack's answer fits the next pack.
   */
  private dictionariesThisPack: boolean | undefined;
  packsWritten = 0;
  bytesWritten = 0;

  constructor(
    private readonly storage: Storage,
    /** Each chunk goes into the pack as the repository stores it (format 2: compressed, maybe sealed). */
    private readonly codec: RepositoryCodec,
    private readonly onLocated: (locations: ChunkLocation[]) => void,
    private readonly isStored: (hash: string) => boolean,
    private readonly targetSize = DEFAULT_PACK_SIZE,
    /**
     * Keys no new pack may take: condemned packs (§3.12). The same chunks packed again make the
     * same bytes, so the same key, and content meant to leave a condemned pack would land in it
     * again; such a pack goes under another key, like a damaged one's.
     */
    private readonly avoid: (key: string) => boolean = () => false,
  ) {}

  /**
   * Adds a chunk unless it is already stored or pending (deduplication by chunk hash). Its
   * encoding (compression, sealing) starts at once and is placed in the pack in order later: up
   * to a few chunks encode at a time, on the thread pool, while the caller reads the next.
   */
  async add(hash: string, chunk: Uint8Array): Promise<boolean> {
    if (this.inPack.has(hash) || this.isStored(hash)) return false;
    this.inPack.add(hash);
    const encoded = this.codec.encodeChunk(hash, chunk, this.dictionaryFor(chunk));
    encoded.catch(() => undefined); // awaited in `place`; a round cut short must not leave it unhandled
    this.encoding.push({ hash, encoded, size: chunk.byteLength });
    this.encodingBytes += chunk.byteLength;
    while (this.encoding.length > MAX_ENCODING || this.encodingBytes > MAX_ENCODING_BYTES) await this.place();
    return true;
  }

  /** The dictionary to compress `chunk` with: once the first small chunks have made one, and while the repository has them. */
  private dictionaryFor(chunk: Uint8Array): PackDictionary | undefined {
    if (!this.takesDictionaries()) return undefined;
    if (!this.dictionary) {
      const plain = this.sampler.take(chunk);
      if (plain) {
        const stored = this.codec.storeDictionary(plain);
        this.dictionary = { plain, stored, storedLength: stored.byteLength };
      }
      return undefined; // a sample itself, or taken before there was a dictionary
    }
    return this.dictionary;
  }

  private takesDictionaries(): boolean {
    return (this.dictionariesThisPack ??= this.codec.chunkDictionaries());
  }

  /** The oldest chunk being encoded, copied into the pack once ready (chunks keep the order they came in). */
  private async place(): Promise<void> {
    const next = this.encoding.shift()!;
    this.encodingBytes -= next.size;
    const encoded = await next.encoded;
    const { length, usesDictionary } = encoded;
    if (!this.buffer) {
      this.base = this.takesDictionaries() ? DICTIONARY_ROOM : 0;
      this.used = this.base;
    }
    this.packUsesDictionary ||= usesDictionary;
    const needed = this.used + length;
    if (!this.buffer || needed > this.buffer.length) {
      // Grow by doubling up to 128 KiB, then to the full size (the target plus room for one last
      // chunk; PACK_ALLOCATION): a round that packs a few small edits allocates kilobytes, not the
      // full pack size. Once a pack has filled, a large upload is under way and the next packs start
      // at full size: regrowing copied each pack's bytes about twice more (a sixteenth of a first
      // upload's main-thread time in a profile).
      const cap = this.targetSize + PACK_SLACK;
      const full = cap >= CHEAP_PACK_SIZE + PACK_SLACK ? Math.max(cap, PACK_ALLOCATION) : cap;
      const size = this.filledOne ? full : Math.min(cap, Math.max(64 * 1024, 2 * (this.buffer?.length ?? 0)));
      const want = Math.max(needed, size > 128 * 1024 ? full : size);
      const spare = this.spare && this.spare.length >= want ? this.spare : undefined;
      if (!spare) releaseBuffer(this.spare); // too small for this pack: not kept resident meanwhile
      const grown = spare ?? Buffer.allocUnsafe(want);
      this.spare = undefined;
      this.buffer?.copy(grown, 0, 0, this.used);
      this.buffer = grown;
    }
    encoded.writeInto(this.buffer, this.used);
    this.index.push({ hash: next.hash, offset: this.used, length });
    this.used += length;
    if (this.used - this.base >= this.targetSize) {
      this.filledOne = true;
      await this.startUpload();
    }
  }

  /** Every chunk added so far is in a pack buffer (or was not needed): the bytes passed to `add` may be written over. */
  async chunksCopied(): Promise<void> {
    while (this.encoding.length > 0) await this.place();
  }

  /** Everything added goes out: the chunks still encoding, then the last pack; resolves once all are stored. */
  async flush(): Promise<void> {
    await this.chunksCopied();
    await this.startUpload();
    // The last pack is under way and no other will fill the spare: it goes now, not once that pack
    // is stored. First upload of the benchmark library (Node 20, 3 alternating runs): peak RSS
    // 134-135 MB against 137-139 to a folder, 166-168 against 170-172 through WebDAV, where the
    // peak had been the last PUT's, with both pack buffers resident.
    releaseBuffer(this.spare);
    this.spare = undefined;
    await this.uploaded();
    // Not kept resident between rounds (a watch waits with this writer), nor under the commit that
    // follows a scan: released now, not at the next full collection (release-buffer.ts).
    releaseBuffer(this.spare);
    this.spare = undefined;
  }

  /** The filled pack starts uploading once the previous one is stored; the caller goes on filling the next. */
  private async startUpload(): Promise<void> {
    await this.uploaded();
    if (!this.buffer || this.index.length === 0) return;
    const whole = this.buffer;
    const { bytes, from } = this.packBytes(whole);
    const index = this.index.map((c) => ({ ...c, offset: c.offset - from }));
    this.buffer = undefined; // the next pack fills another buffer while this one is stored
    this.used = 0;
    this.index = [];
    this.packUsesDictionary = false;
    this.dictionariesThisPack = undefined;
    const upload = this.upload(bytes, index).then(() => {
      // Stored: the storage holds nothing of it now, so the pack after next may fill it.
      // The smaller of the two is let go, its memory released (release-buffer.ts).
      const [kept, dropped] = whole.length >= (this.spare?.length ?? 0) ? [whole, this.spare] : [this.spare, whole];
      this.spare = kept;
      releaseBuffer(dropped);
    });
    upload.catch(() => undefined); // awaited by the next startUpload or flush; a round cut short must not leave it unhandled
    this.uploading = upload;
  }

  /**
   * The pack's bytes, from `from` in the buffer: its chunks, behind the dictionary's frame when one
   * of them uses it. The frame goes in the room kept for it; a pack begun without that room (the
   * repository upgraded meanwhile) is copied once behind it.
   */
  private packBytes(whole: Buffer): { bytes: Uint8Array; from: number } {
    const dictionary = this.packUsesDictionary ? this.dictionary!.stored : undefined;
    if (!dictionary) return { bytes: whole.subarray(this.base, this.used), from: this.base };
    const from = this.base - dictionary.byteLength;
    if (from < 0) return { bytes: Buffer.concat([dictionary, whole.subarray(this.base, this.used)]), from };
    whole.set(dictionary, from);
    return { bytes: whole.subarray(from, this.used), from };
  }

  /** Waits for the pack under way, if any; its failure is thrown here. */
  private async uploaded(): Promise<void> {
    const upload = this.uploading;
    this.uploading = undefined;
    await upload;
  }

  private async upload(pack: Uint8Array, index: { hash: string; offset: number; length: number }[]): Promise<void> {
    const { key, pad } = await this.put(pack);
    this.onLocated(index.map((c) => [c.hash, key, c.offset, c.length]));
    this.packsWritten++;
    this.bytesWritten += pack.byteLength + pad;
  }

  /**
   * 'exists' is normally fine: the key is the content's hash, so what is there is these bytes.
   * Unless the object there is damaged (this pack is uploaded again because it was found so):
   * write-once, it cannot be replaced, so the bytes go under another key, followed by a few zero
   * bytes no location points at (after, not before: a pack's dictionary stays its first bytes).
   * Only on 'exists', which is rare, is the object read. A key to avoid is passed over the same way.
   */
  private async put(pack: Uint8Array): Promise<{ key: string; pad: number }> {
    for (let pad = 0; ; pad++) {
      const bytes = pad === 0 ? pack : Buffer.concat([pack, Buffer.alloc(pad)]);
      const key = `packs/${sha256(bytes)}`;
      if (this.avoid(key)) continue;
      if ((await this.storage.putIfAbsent(key, bytes)) === 'created' || pad === 3 || (await checkPack(this.storage, this.codec, key)).verdict !== 'damaged') return { key, pad };
    }
  }
}
