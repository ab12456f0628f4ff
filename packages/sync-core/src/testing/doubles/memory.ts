/**
 * The in-memory reference adapter: the smallest correct implementation of the contract, used
 * by the engine's unit tests and as the base that test wrappers distort. It lives with the test
 * doubles because no production code needs it: the CLI's `demo` syncs through a local folder
 * (adapter-fs), and an app always brings a real backend.
 */
import { createHash } from 'node:crypto';
import type { ByteRange, ListOptions, ListPage, PutResult, Storage, StorageCapabilities } from '../../storage/contract.js';
import { StorageError } from '../../storage/errors.js';
import { compareKeys } from '../../storage/keys.js';

interface Entry {
  bytes: Uint8Array;
  etag: string;
  modified: Date;
}

/** How `createMemoryStorage` behaves; every field is optional. */
export interface MemoryStorageOptions {
  /** The storage's `name` in messages (default `memory`). */
  name?: string;
  /** The storage's clock, for `modified` (simulations pass a virtual clock). */
  now?: () => number;
  /** Maximum page size the "server" returns. */
  maxPageSize?: number;
}

export interface MemoryStorage extends Storage {
  /** Test helpers: inspect or tamper with what is stored, bypassing the contract. */
  readonly debug: {
    /** Every key stored, in key order. */
    keys(): string[];
    /** The stored bytes of `key` (not a copy), or undefined. */
    raw(key: string): Uint8Array | undefined;
    /** Replaces (or creates) an object, as a buggy or hostile backend would: a new etag, no precondition. */
    overwrite(key: string, bytes: Uint8Array): void;
    /** Deletes an object, whatever the capabilities say. */
    remove(key: string): void;
    /** Every key and its bytes now, to `restore` later (a backup of the remote). */
    snapshot(): Map<string, Uint8Array>;
    /** Puts the store back exactly as a snapshot was (a rollback of the remote): everything else is gone. */
    restore(snapshot: Map<string, Uint8Array>): void;
  };
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A fresh, empty in-memory store: atomic create, compare-and-swap, ranged reads, consistent sorted listings. */
export function createMemoryStorage(options: MemoryStorageOptions = {}): MemoryStorage {
  const entries = new Map<string, Entry>();
  const now = options.now ?? Date.now;
  const maxPageSize = options.maxPageSize ?? 1000;
  let version = 0;
  const entry = (bytes: Uint8Array): Entry => ({
    bytes: Uint8Array.from(bytes), // copy: the caller may reuse its buffer
    etag: createHash('sha256').update(bytes).update(String(++version)).digest('hex').slice(0, 32),
    modified: new Date(now()),
  });
  const capabilities: StorageCapabilities = {
    atomicCreate: true,
    compareAndSwap: true,
    rangedGet: true,
    consistentListing: true,
    delete: true,
    maxObjectSize: 1024 * 1024 * 1024,
    caseInsensitiveNames: false,
    sortedListing: true,
  };
  return {
    name: options.name ?? 'memory',
    capabilities,
    async putIfAbsent(key: string, bytes: Uint8Array): Promise<PutResult> {
      await tick();
      if (entries.has(key)) return 'exists';
      entries.set(key, entry(bytes));
      return 'created';
    },
    async get(key: string, opts?: { range?: ByteRange }): Promise<Uint8Array> {
      await tick();
      const e = entries.get(key);
      if (!e) throw new StorageError('NotFound', `memory: ${key} not found`);
      const r = opts?.range;
      return Uint8Array.from(r ? e.bytes.subarray(r.offset, r.offset + r.length) : e.bytes);
    },
    async list(prefix: string, opts: ListOptions = {}): Promise<ListPage> {
      await tick();
      const after = opts.cursor ?? opts.startAfter;
      const keys = [...entries.keys()].filter((k) => k.startsWith(prefix) && (after === undefined || compareKeys(k, after) > 0)).sort(compareKeys);
      const size = Math.max(1, Math.min(opts.pageSize ?? maxPageSize, maxPageSize));
      const pageKeys = keys.slice(0, size);
      const objects = pageKeys.map((key) => {
        const e = entries.get(key)!;
        return { key, size: e.bytes.byteLength, etag: e.etag, modified: e.modified };
      });
      return keys.length > size ? { objects, cursor: pageKeys[pageKeys.length - 1] } : { objects };
    },
    async delete(key: string): Promise<void> {
      await tick();
      entries.delete(key);
    },
    async putIfMatch(key: string, bytes: Uint8Array, etag: string): Promise<{ etag: string }> {
      await tick();
      const e = entries.get(key);
      if (!e || e.etag !== etag) throw new StorageError('PreconditionFailed', `memory: ${key} etag mismatch`);
      const next = entry(bytes);
      entries.set(key, next);
      return { etag: next.etag };
    },
    debug: {
      keys: () => [...entries.keys()].sort(compareKeys),
      raw: (key) => entries.get(key)?.bytes,
      overwrite: (key, bytes) => void entries.set(key, entry(bytes)),
      remove: (key) => void entries.delete(key),
      snapshot: () => new Map([...entries].map(([k, e]) => [k, e.bytes])),
      restore: (snap) => {
        entries.clear();
        for (const [k, b] of snap) entries.set(k, entry(b));
      },
    },
  };
}
