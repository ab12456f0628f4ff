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

const WINDOW = 16 * 1024 * 1024;
const MAX_GAP = 1024 * 1024;

type CachedRange = { pack: string; offset: number; bytes: Uint8Array };

export type ReadFailure = { hash: string; pack: string; offset: number; length: number; kind: 'missing' | 'short' | 'mismatch' };

export class ChunkFetcher {
  private wanted = new Map<string, ChunkLocation[]>(); // pack → needed chunks sorted by offset
  /** Locations looked up by `plan`, so each chunk costs one lookup (the state does not change meanwhile). */
  private readonly planned = new Map<string, ChunkLocation[]>();
  private cache: CachedRange[] = [];
  /** Ranged reads under way, so concurrent writers of neighbouring files share them. */
  private inflight: { pack: string; offset: number; end: number; read: Promise<CachedRange | 'missing'> }[] = [];
  readonly failures: ReadFailure[] = [];
  /** Packs from which a chunk was read and verified this round. */
  readonly readOk = new Set<string>();

  constructor(
    private readonly storage: Storage,
    /** How chunks are stored (format, key): each read is decoded and verified through it. */
    private readonly codec: RepositoryCodec,
    /** Every known location of a chunk, the one to try first first. */
    private readonly locate: (hash: string) => ChunkLocation[],
    private readonly signal?: AbortSignal,
  ) {}

  /** Declares the chunks about to be read, so ranges can be merged. */
  plan(hashes: Iterable<string>): void {
    const byPack = new Map<string, Map<string, ChunkLocation>>();
    for (const h of hashes) {
      const locations = this.locate(h);
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
        [...m.values()].sort((a, b) => a[2] - b[2]),
      );
  }

  async get(hash: string): Promise<Uint8Array> {
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
    let hit = this.cache.find((c) => c.pack === pack && c.offset <= offset && c.offset + c.bytes.byteLength >= offset + length);
    if (!hit) {
      // Files are written several at a time: a neighbour's read already under way may cover this chunk.
      const pending = this.inflight.find((r) => r.pack === pack && r.offset <= offset && r.end >= offset + length);
      const got = await (pending ? pending.read : this.readRange(pack, offset, length));
      if (got === 'missing') return { hash, pack, offset, length, kind: 'missing' };
      if (got.offset + got.bytes.byteLength < offset + length) return { hash, pack, offset, length, kind: 'short' };
      hit = got;
    }
    const stored = hit.bytes.subarray(offset - hit.offset, offset - hit.offset + length);
    const chunk = stored.byteLength === length ? await this.codec.loadChunkAsync(hash, stored) : undefined;
    if (!chunk) return { hash, pack, offset, length, kind: 'mismatch' };
    this.readOk.add(pack);
    return chunk;
  }

  /** One ranged read from `offset`, extended over the following wanted chunks of the same pack. */
  private async readRange(pack: string, offset: number, length: number): Promise<CachedRange | 'missing'> {
    let end = offset + length;
    for (const w of this.wanted.get(pack) ?? []) {
      if (w[2] < end) continue;
      if (w[2] - end > MAX_GAP || w[2] + w[3] - offset > WINDOW) break;
      end = w[2] + w[3];
    }
    checkAborted(this.signal);
    const entry = {
      pack,
      offset,
      end,
      read: this.storage.get(pack, { range: { offset, length: end - offset } }).then(
        (bytes): CachedRange => ({ pack, offset, bytes }),
        (e: unknown) => {
          if (isStorageError(e, 'NotFound')) return 'missing' as const;
          throw e;
        },
      ),
    };
    this.inflight.push(entry);
    try {
      const got = await entry.read;
      if (got !== 'missing') {
        this.cache.unshift(got);
        this.cache.length = Math.min(this.cache.length, 3);
      }
      return got;
    } finally {
      this.inflight.splice(this.inflight.indexOf(entry), 1);
    }
  }
}
