/**
 * Reads the dictionaries of packs (format 7, docs/PROTOCOL.md §3.5): a chunk stored with its
 * pack's dictionary says how long that dictionary's frame is, and the frame is the pack's first
 * bytes. Each is read once per reader (one ranged get per pack, however many of its chunks are
 * read; none where the reader read the pack from its start for its chunks) and kept while few
 * enough: a dictionary is at most 32 KiB.
 */
import type { DictionaryOf, RepositoryCodec } from '../codec/repository-codec.js';
import type { Storage } from '../storage/contract.js';
import { isStorageError } from '../storage/errors.js';

const KEPT = 64;
/**
 * How much of a pack's start a reader keeps once it has read it anyway: more than any dictionary
 * frame this release writes (8 KiB and its frame), copied, so a range read of megabytes is not held.
 */
const START_KEPT = 16 * 1024;

export class PackDictionaries {
  private readonly kept = new Map<string, Promise<Uint8Array | undefined>>();
  /** The first bytes of packs a range read brought in from offset 0: their dictionaries cost no request of their own. */
  private readonly starts = new Map<string, Uint8Array>();

  constructor(
    private readonly storage: Storage,
    private readonly codec: RepositoryCodec,
  ) {}

  /** Keeps the first bytes of `pack`, read from its offset 0 for its chunks, for its dictionary. */
  sawStart(pack: string, bytes: Uint8Array): void {
    if (this.starts.has(pack)) return;
    this.starts.set(pack, Buffer.from(bytes.subarray(0, START_KEPT)));
    if (this.starts.size > KEPT) this.starts.delete(this.starts.keys().next().value!);
  }

  /** The dictionary reader for chunks of `pack`. A pack gone or cut short has none: its chunks then fail as any unreadable chunk. */
  of(pack: string): DictionaryOf {
    return (storedLength) => {
      const key = `${pack} ${storedLength}`;
      let got = this.kept.get(key);
      if (!got) {
        const start = this.starts.get(pack);
        got = start && start.byteLength >= storedLength ? Promise.resolve(this.codec.loadDictionary(start.subarray(0, storedLength))) : readDictionary(this.storage, this.codec, pack, storedLength);
        this.kept.set(key, got);
        if (this.kept.size > KEPT) this.kept.delete(this.kept.keys().next().value!);
        // A failed read is not kept: the next chunk of the pack tries again.
        got.catch(() => this.kept.delete(key));
      }
      return got;
    };
  }
}

/** The smallest dictionary frame there is (a frame's header): a chunk naming less is damaged or hostile, and costs no request. */
const MIN_STORED = 5;

async function readDictionary(storage: Storage, codec: RepositoryCodec, pack: string, storedLength: number): Promise<Uint8Array | undefined> {
  if (storedLength < MIN_STORED) return undefined;
  try {
    const stored = await storage.get(pack, { range: { offset: 0, length: storedLength } });
    return stored.byteLength === storedLength ? codec.loadDictionary(stored) : undefined;
  } catch (e) {
    if (isStorageError(e, 'NotFound')) return undefined;
    throw e;
  }
}
