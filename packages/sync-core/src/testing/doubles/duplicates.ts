/**
 * A Drive-like backend: names are not unique, so racing creates of one key leave several
 * objects under it, possibly with different bytes. Listing shows the key once (adapters must
 * de-duplicate), but `get` may return any of the copies. The engine avoids harm by never
 * writing different bytes under one key on a non-atomic backend (content-derived names).
 */
import type { ByteRange, ListOptions, ListPage, PutResult, Storage } from '../../storage/contract.js';
import { StorageError } from '../../storage/errors.js';
import { compareKeys } from '../../storage/keys.js';

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A fresh, empty Drive-like store (see above); `random` picks which copy a `get` returns. */
export function createDuplicateNameStorage(options: { random?: () => number; name?: string; now?: () => number } = {}): Storage & {
  /** How many objects are stored under `key` (more than one after racing creates). */
  copies(key: string): number;
  /** Every key and the bytes of its first copy. */
  snapshot(): Map<string, Uint8Array>;
  /** Test helpers that bypass the contract. */
  debug: {
    /** Everything stored, every copy included, for `restore`. */
    save(): unknown;
    /** Puts the store back exactly as `save` found it (a rollback of the remote). */
    restore(saved: unknown): void;
  };
} {
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;
  const files = new Map<string, { bytes: Uint8Array; modified: Date }[]>();
  return {
    name: options.name ?? 'duplicate-names',
    capabilities: {
      atomicCreate: false,
      compareAndSwap: false,
      rangedGet: true,
      consistentListing: true,
      delete: true,
      maxObjectSize: 1024 * 1024 * 1024,
      caseInsensitiveNames: false,
      sortedListing: true,
    },
    copies: (key) => files.get(key)?.length ?? 0,
    snapshot: () => new Map([...files].map(([k, list]) => [k, list[0]!.bytes])),
    // The whole store, duplicates included, to put back later (a storage rolled back in time).
    debug: {
      save: () => new Map([...files].map(([k, list]) => [k, [...list]])),
      restore: (saved) => {
        files.clear();
        for (const [k, list] of saved as Map<string, { bytes: Uint8Array; modified: Date }[]>) files.set(k, [...list]);
      },
    },
    async putIfAbsent(key: string, bytes: Uint8Array): Promise<PutResult> {
      const seen = files.has(key); // the name query...
      await tick(); // ...and the create are separate requests
      if (seen) return 'exists';
      const list = files.get(key) ?? [];
      list.push({ bytes: Uint8Array.from(bytes), modified: new Date(now()) });
      files.set(key, list);
      return 'created';
    },
    async get(key: string, o?: { range?: ByteRange }): Promise<Uint8Array> {
      await tick();
      const list = files.get(key);
      if (!list?.length) throw new StorageError('NotFound', `duplicate-names: ${key} not found`);
      const pick = list[Math.floor(random() * list.length)]!.bytes;
      const r = o?.range;
      return Uint8Array.from(r ? pick.subarray(r.offset, r.offset + r.length) : pick);
    },
    async list(prefix: string, o: ListOptions = {}): Promise<ListPage> {
      await tick();
      const after = o.cursor ?? o.startAfter;
      const keys = [...files.keys()].filter((k) => k.startsWith(prefix) && (after === undefined || compareKeys(k, after) > 0)).sort(compareKeys);
      const size = Math.max(1, Math.min(o.pageSize ?? 1000, 1000));
      const objects = keys.slice(0, size).map((key) => {
        const first = files.get(key)![0]!;
        return { key, size: first.bytes.byteLength, modified: first.modified };
      });
      return keys.length > size ? { objects, cursor: objects[objects.length - 1]!.key } : { objects };
    },
    async delete(key: string): Promise<void> {
      await tick();
      files.delete(key);
    },
  };
}
