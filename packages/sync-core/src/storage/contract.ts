/**
 * The storage contract: the only thing syncacross asks of a backend. Every MUST below is checked
 * by the conformance suite (`@syncacross/sync-core/testing`, src/testing/conformance/), which
 * every adapter runs; the check that proves each one is named in brackets.
 *
 * Guarantees an adapter MUST give:
 * - `putIfAbsent` never overwrites an object it can see. It answers `created` or `exists` (a
 *   second create, even with identical bytes, answers `exists` and changes nothing); it never
 *   throws `AlreadyExists`, a code kept for adapters' internal use [createsOnce]. Whether two
 *   *concurrent* calls on one key can both answer `created` is declared in
 *   `capabilities.atomicCreate` and measured by `probeCapabilities`; either way the stored
 *   object is one racer's bytes, never a mix [racingCreates]. The engine stays correct when they
 *   can (it only relies on keys that one writer writes, with content-derived names).
 * - An object is visible whole or not at all: no reader ever sees a partial object under its key,
 *   even while a large write is in flight or after a writer crashed [neverPartial]. Except where
 *   `capabilities.inPlaceWrites` is declared (a store that writes objects in place, e.g. s3rver,
 *   or a share mounted through davfs2): there, while a write is in flight, *other* clients may see
 *   a prefix of the object under its key. Once `putIfAbsent` answers, the object is whole for
 *   every reader. (A share mounted through davfs2 is worse, and no adapter can see it: other
 *   machines may see a name before its bytes even after the writer's close returned.) The engine
 *   copes with both because every object it reads is named by its content hash: a read that does
 *   not match its name is retried, never trusted.
 * - Once `putIfAbsent` or `putIfMatch` answers, the adapter keeps nothing of the `bytes` it was
 *   given: the caller may write over them (the engine fills its next pack in the buffer of the
 *   last one stored) [callerMayReuseBytes].
 * - `get` returns the bytes exactly as written, from 0 B up [roundTrips]. With a `range`, it
 *   returns `length` bytes from `offset`; a range that runs past the end returns the bytes up to
 *   the end, not an error [byteRanges]. (Without `capabilities.rangedGet`, core reads the whole
 *   object and slices it.)
 * - With `into` (memory the caller offers for a ranged read), `get` returns the same bytes as
 *   without it, read into the start of `into` or not, and writes nothing to `into` once its promise
 *   settles: the caller reads its next range into it [readsInto].
 * - `get` of a missing key throws `NotFound`. Any failure whose answer is not known throws
 *   `Unavailable` (or `RateLimited`): "could not ask" is never reported as "not there". An
 *   unreachable backend answers `Unavailable` (or `AuthFailed`) to get, list and putIfAbsent,
 *   never `NotFound` and never an empty listing [notFoundVersusUnreachable].
 * - `list` returns, in pages, the objects whose key starts with `prefix` (and no other: `p/a`
 *   lists `p/ab` but not `p/b`) and sorts after `startAfter` (code point order, which equals
 *   UTF-8 byte order), each with its size [exactPrefixes, pagesAndStartAfter]. Each key appears
 *   once in a listing; in ascending order when `capabilities.sortedListing`. A listing that could
 *   not be completed throws; it never returns a short answer as if it were complete. Objects
 *   created just before may be missing unless `capabilities.consistentListing`
 *   [consistentListing].
 * - `delete` (optional, exactly when `capabilities.delete`) is idempotent: deleting a missing key
 *   succeeds, and a deleted key can be created again [idempotentDelete].
 * - `putIfMatch` (optional, exactly when `capabilities.compareAndSwap`) replaces an object only if
 *   its current etag (as listed) equals `etag`, else throws `PreconditionFailed` (or `NotFound`
 *   for a missing key); a replace changes the etag [compareAndSwap].
 * - `changeFeed` (optional) reports a write made after the cursor it was given: `changed` is
 *   true once the object is listed. It may also report changes that concern nothing of ours (a
 *   feed wider than the store, the node's own writes); a false alarm costs the engine one listing,
 *   a missed change the watch's interval [changeFeed].
 *
 * Errors are `StorageError`s (errors.ts), matched by `code`. Adapters that speak HTTP map
 * statuses through one documented table, `errorFromHttpStatus` (`@syncacross/sync-core/adapter-kit`), rather than each
 * deciding what a 409 or a 503 means.
 *
 * Keys are validated by core before they reach an adapter (keys.ts, `checkedStorage`): adapters
 * only do I/O, and encode keys however their backend needs (case folding, forbidden characters).
 * That encoding MUST keep every valid key its own object inside the store: case and unicode
 * intact [unicodeKeys], and keys a backend could misread (`%2E%2E`, trailing dots, device names)
 * neither landing on another object nor outside the store [hostileKeys].
 */
/** One object in a listing. */
export interface ObjectInfo {
  /** The object's key, as written (whatever encoding the adapter uses on its backend). */
  key: string;
  /** Its size in bytes. */
  size: number;
  /** Opaque version tag for putIfMatch, without surrounding quotes. */
  etag?: string;
  /** Last modification time on the storage's own clock, when the backend reports one. */
  modified?: Date;
}

/** How to list (`Storage.list`): where to start, and the page size wanted. */
export interface ListOptions {
  /** Only keys sorting strictly after this one. */
  startAfter?: string;
  /** Continuation token returned by the previous page of the same listing. */
  cursor?: string;
  /** A hint; adapters may return fewer (or, up to their own limit, more). */
  pageSize?: number;
  /**
   * A hint: `false` when the caller will not use the etags (it wants keys and sizes), so an
   * adapter may leave out what its backend computes per object only to answer it. Apache with
   * `FileETag Digest` reads every file whole to give its etag: listing 780 MiB of packs took 5 s.
   * Keys, sizes and times are listed as without it [listsWithoutEtags].
   */
  etags?: boolean;
}

/** One page of a listing. */
export interface ListPage {
  /** The objects of this page (possibly none, even when more pages follow); sorted by key where `capabilities.sortedListing`. */
  objects: ObjectInfo[];
  /** Present when more pages follow; pass it back as `cursor`. */
  cursor?: string;
}

/** Part of an object to read (`Storage.get`); one that runs past the end returns the bytes up to the end. */
export interface ByteRange {
  /** Where to start, in bytes from the beginning (an integer ≥ 0). */
  offset: number;
  /** How many bytes to read (an integer ≥ 0). */
  length: number;
}

/** What `putIfAbsent` answers: `created` (this call wrote the object) or `exists` (the key was taken; nothing was written). */
export type PutResult = 'created' | 'exists';

/** What a backend can promise; the engine adapts to it, and the conformance suite checks it. */
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
  /**
   * A request costs little beyond its bytes: a local or mounted folder, where a read is a system
   * call, not a round trip. Absent means false. Downloads then read packs in smaller ranges and
   * keep less read ahead of their writers (engine/chunk-fetcher.ts): less memory, where a remote
   * whose every request is a round trip gains from reading much at once.
   */
  cheapRequests?: boolean;
}

/**
 * A backend's own change feed: how a watcher hears of new objects without listing them all
 * (Dropbox `list_folder/longpoll`, Graph `delta`, Drive `changes`).
 */
export interface ChangeFeed {
  /**
   * `wait`: `next` holds its request open until something changes or the backend's own timeout
   * passes (a long poll), so a watcher calls it again at once. `poll`: `next` answers at once (a
   * delta query), so a watcher calls it on an interval; it costs one small request however many
   * objects the store holds, where a listing costs a page per thousand.
   */
  readonly mode: 'wait' | 'poll';
  /**
   * Without a cursor: the feed's position now, with `changed: false`, at once. With one: whether
   * anything may have changed since it, and the position to pass next time. A cursor the backend
   * no longer honours (expired, reset) answers `changed: true` with a fresh one: the engine lists,
   * so nothing is missed. `signal` ends a wait early (the promise rejects).
   */
  next(cursor: string | undefined, signal?: AbortSignal): Promise<ChangeFeedAnswer>;
}

/** What `ChangeFeed.next` answers. */
export interface ChangeFeedAnswer {
  /** The position to pass to the next call (opaque, never empty). */
  cursor: string;
  /** Whether anything may have changed since the cursor given (false for a first call). */
  changed: boolean;
}

/** How `get` reads: a byte range, and memory to read it into. */
export interface GetOptions {
  /** The bytes to read: `length` from `offset`, or up to the end where the object is shorter. */
  range?: ByteRange;
  /**
   * Memory offered for a ranged read, at least `range.length` bytes; only ever with a range
   * (`checkedStorage` refuses it otherwise). An adapter that reads into memory it allocates may
   * read into this instead and return a view of its start: a download then reads each range into
   * a buffer used again (engine/range-buffers.ts) rather than into new memory only a full garbage
   * collection frees. Adapters may ignore it.
   */
  into?: Uint8Array;
}

/**
 * The storage contract every adapter implements: write-once objects under string keys, read,
 * listed in pages, optionally deleted or compared-and-swapped. Failures are `StorageError`s.
 */
export interface Storage {
  /** A short human name for messages and `syncacross adapters`, e.g. `fs:/mnt/nas/lib`. */
  readonly name: string;
  /** What this backend promises. */
  readonly capabilities: StorageCapabilities;
  /** Writes the object unless the key exists: `created`, or `exists` (then nothing was written). */
  putIfAbsent(key: string, bytes: Uint8Array): Promise<PutResult>;
  /** Reads an object, or the byte range asked for; a missing key is `NotFound`. */
  get(key: string, options?: GetOptions): Promise<Uint8Array>;
  /** One page of the keys starting with `prefix`; follow `cursor` for the next. */
  list(prefix: string, options?: ListOptions): Promise<ListPage>;
  /** Deletes an object; a missing key is not an error. Only where `capabilities.delete`. */
  delete?(key: string): Promise<void>;
  /** Replaces an object only if its etag still matches (`PreconditionFailed` otherwise). Only where `capabilities.compareAndSwap`. */
  putIfMatch?(
    key: string,
    bytes: Uint8Array,
    etag: string,
  ): Promise<{
    /** The replaced object's new etag, when the backend tells it in its answer (otherwise list to learn it). */
    etag?: string;
  }>;
  /** The backend's change feed, where it has one (optional; the watch lists on an interval without it). */
  readonly changeFeed?: ChangeFeed;
  /** Releases connections, timers, servers. Optional. */
  close?(): Promise<void>;
}
