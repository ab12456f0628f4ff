/**
 * Fetches chunks for materialization with few requests: neighbouring chunks of one pack that
 * are wanted together are read with one ranged get (up to a window), and every chunk is
 * verified against its hash before use (a truncated or altered pack is Corrupt, never written).
 */
import type { Storage } from '../storage/contract.js';
import { StorageError } from '../storage/errors.js';
import { checkAborted } from './errors.js';
import { sha256 } from './hashing.js';
import type { ChunkLocation } from './segment.js';

const WINDOW = 16 * 1024 * 1024;
const MAX_GAP = 1024 * 1024;

export class ChunkFetcher {
  private wanted = new Map<string, ChunkLocation[]>(); // pack → needed chunks sorted by offset
  private cache: { pack: string; offset: number; bytes: Uint8Array }[] = [];

  constructor(
    private readonly storage: Storage,
    private readonly locate: (hash: string) => ChunkLocation | undefined,
    private readonly signal?: AbortSignal,
  ) {}

  /** Declares the chunks about to be read, so ranges can be merged. */
  plan(hashes: Iterable<string>): void {
    const byPack = new Map<string, Map<string, ChunkLocation>>();
    for (const h of hashes) {
      const loc = this.locate(h);
      if (!loc) continue;
      const m = byPack.get(loc[1]) ?? new Map<string, ChunkLocation>();
      m.set(h, loc);
      byPack.set(loc[1], m);
    }
    for (const [pack, m] of byPack) this.wanted.set(pack, [...m.values()].sort((a, b) => a[2] - b[2]));
  }

  async get(hash: string): Promise<Uint8Array> {
    const loc = this.locate(hash);
    if (!loc) throw new StorageError('Corrupt', `chunk ${hash.slice(0, 12)} has no known location (its segment is missing)`);
    const [, pack, offset, length] = loc;
    let hit = this.cache.find((c) => c.pack === pack && c.offset <= offset && c.offset + c.bytes.byteLength >= offset + length);
    if (!hit) {
      // Extend the read over the following wanted chunks of the same pack.
      let end = offset + length;
      for (const w of this.wanted.get(pack) ?? []) {
        if (w[2] < end) continue;
        if (w[2] - end > MAX_GAP || w[2] + w[3] - offset > WINDOW) break;
        end = w[2] + w[3];
      }
      checkAborted(this.signal);
      const bytes = await this.storage.get(pack, { range: { offset, length: end - offset } });
      if (bytes.byteLength < length) throw new StorageError('Corrupt', `pack ${pack} is shorter than its index says (truncated on the remote?)`);
      hit = { pack, offset, bytes };
      this.cache.unshift(hit);
      this.cache.length = Math.min(this.cache.length, 3);
    }
    const chunk = hit.bytes.subarray(offset - hit.offset, offset - hit.offset + length);
    if (chunk.byteLength !== length || sha256(chunk) !== hash) throw new StorageError('Corrupt', `chunk ${hash.slice(0, 12)} in ${pack} does not match its hash`);
    return chunk;
  }
}
