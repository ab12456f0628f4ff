/**
 * The storage contract: the only thing syncacross asks of a backend.
 *
 * Guarantees an adapter MUST give:
 * - `putIfAbsent` never overwrites an object it can see. It answers `created` or `exists`. Whether
 *   two *concurrent* calls on one key can both answer `created` is declared in
 *   `capabilities.atomicCreate` and measured by `probeCapabilities`; the engine stays correct when
 *   they can (it only relies on keys that one writer writes, with content-derived names).
 * - An object is visible whole or not at all: no reader ever sees a partial object under its key,
 *   even while a large write is in flight or after a writer crashed. Except where
 *   `capabilities.inPlaceWrites` is declared (a store that writes objects in place, e.g. s3rver,
 *   or a share mounted through davfs2): there, while a write is in flight, *other* clients may see
 *   a prefix of the object under its key. Once `putIfAbsent` answers, the object is whole for
 *   every reader. (A share mounted through davfs2 is worse, and no adapter can see it: other
 *   machines may see a name before its bytes even after the writer's close returned.) The engine
 *   copes with both because every object it reads is named by its content hash: a read that does
 *   not match its name is retried, never trusted.
 * - `get` of a missing key throws `NotFound`. Any failure whose answer is not known throws
 *   `Unavailable` (or `RateLimited`): "could not ask" is never reported as "not there".
 * - `list` returns, in pages, the objects whose key starts with `prefix` and sorts after
 *   `startAfter` (code point order, which equals UTF-8 byte order). Each key appears once in a
 *   listing. A listing that could not be completed throws; it never returns a short answer as if
 *   it were complete. Objects created just before may be missing unless
 *   `capabilities.consistentListing`.
 * - `delete` (optional) is idempotent: deleting a missing key succeeds.
 * - `putIfMatch` (optional) replaces an object only if its current etag equals `etag`, else throws
 *   `PreconditionFailed`.
 *
 * Keys are validated by core before they reach an adapter (see keys.ts): adapters only do I/O,
 * and encode keys however their backend needs (case folding, forbidden characters).
 */
import type { StorageErrorCode } from './errors.js';

export interface ObjectInfo {
  key: string;
  size: number;
  /** Opaque version tag for putIfMatch, without surrounding quotes. */
  etag?: string;
  /** Last modification time on the storage's own clock, when the backend reports one. */
  modified?: Date;
}

export interface ListOptions {
  /** Only keys sorting strictly after this one. */
  startAfter?: string;
  /** Continuation token returned by the previous page of the same listing. */
  cursor?: string;
  /** A hint; adapters may return fewer (or, up to their own limit, more). */
  pageSize?: number;
}

export interface ListPage {
  objects: ObjectInfo[];
  /** Present when more pages follow; pass it back as `cursor`. */
  cursor?: string;
}

export interface ByteRange {
  offset: number;
  length: number;
}

export type PutResult = 'created' | 'exists';

export interface StorageCapabilities {
  /** Two racing putIfAbsent on one key: at most one answers `created`. */
  atomicCreate: boolean;
  /** putIfMatch exists and is honored. */
  compareAndSwap: boolean;
  /** get honors `range` server-side (otherwise core slices after a full read). */
  rangedGet: boolean;
  /** A created key is listed by the very next list call. */
  consistentListing: boolean;
  /** delete exists. */
  delete: boolean;
  /** The largest object putIfAbsent accepts, in bytes. */
  maxObjectSize: number;
  /** The backend folds case; the adapter must encode keys so no two keys collide. */
  caseInsensitiveNames: boolean;
  /** list returns keys in ascending order. */
  sortedListing: boolean;
  /**
   * Other clients may see a prefix of an object while its write is in flight (see the contract
   * above). Absent means false: whole or nothing. Declare it rather than promise what the store
   * cannot keep; the conformance suite then checks the weaker promise.
   */
  inPlaceWrites?: boolean;
}

export interface Storage {
  /** A short human name for messages and `syncacross adapters`, e.g. `fs:/mnt/nas/lib`. */
  readonly name: string;
  readonly capabilities: StorageCapabilities;
  putIfAbsent(key: string, bytes: Uint8Array): Promise<PutResult>;
  get(key: string, options?: { range?: ByteRange }): Promise<Uint8Array>;
  list(prefix: string, options?: ListOptions): Promise<ListPage>;
  delete?(key: string): Promise<void>;
  putIfMatch?(key: string, bytes: Uint8Array, etag: string): Promise<{ etag?: string }>;
  /** Releases connections, timers, servers. Optional. */
  close?(): Promise<void>;
}

export type { StorageErrorCode };
