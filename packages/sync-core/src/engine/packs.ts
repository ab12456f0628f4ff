/**
 * Chunks are gathered into pack objects (8-32 MiB) so thousands of small files upload in tens of
 * requests. A pack is the concatenation of its chunks; its key is the hash of its bytes, so it is
 * write-once on any backend (a duplicate write is the same bytes). Where each chunk lives is
 * recorded in the segment that introduces it, which is written after the pack (data before
 * metadata).
 */
import type { Storage } from '../storage/contract.js';
import { sha256 } from './hashing.js';
import type { ChunkLocation } from './segment.js';

export const DEFAULT_PACK_SIZE = 16 * 1024 * 1024;

export class PackWriter {
  private parts: Uint8Array[] = [];
  private hashes: string[] = [];
  private size = 0;
  private inPack = new Set<string>();
  packsWritten = 0;
  bytesWritten = 0;

  constructor(
    private readonly storage: Storage,
    private readonly onLocated: (locations: ChunkLocation[]) => void,
    private readonly isStored: (hash: string) => boolean,
    private readonly targetSize = DEFAULT_PACK_SIZE,
  ) {}

  /** Adds a chunk unless it is already stored or pending (deduplication by chunk hash). */
  async add(hash: string, bytes: Uint8Array): Promise<boolean> {
    if (this.inPack.has(hash) || this.isStored(hash)) return false;
    this.parts.push(bytes);
    this.hashes.push(hash);
    this.inPack.add(hash);
    this.size += bytes.byteLength;
    if (this.size >= this.targetSize) await this.flush();
    return true;
  }

  async flush(): Promise<void> {
    if (this.parts.length === 0) return;
    const pack = Buffer.concat(this.parts);
    const key = `packs/${sha256(pack)}`;
    // 'exists' is fine: the key is the content's hash, so what is there is these bytes.
    await this.storage.putIfAbsent(key, pack);
    const locations: ChunkLocation[] = [];
    let offset = 0;
    for (let i = 0; i < this.parts.length; i++) {
      locations.push([this.hashes[i]!, key, offset, this.parts[i]!.byteLength]);
      offset += this.parts[i]!.byteLength;
    }
    this.onLocated(locations);
    this.packsWritten++;
    this.bytesWritten += pack.byteLength;
    this.parts = [];
    this.hashes = [];
    this.inPack.clear();
    this.size = 0;
  }
}
