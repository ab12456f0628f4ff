/**
 * The S3 storage: the contract on top of ObjectIO, in one of two write modes.
 *
 * - `conditional`: putIfAbsent is `PutObject` (or CompleteMultipartUpload) with
 *   `If-None-Match: *` (412 → 'exists'; 409 ConditionalRequestConflict → retry, as AWS asks);
 *   putIfMatch is `If-Match: "<etag>"`. Atomic create is declared.
 * - `check-then-write`: for stores that ignore or reject the headers: HEAD, then an
 *   unconditional PUT. Two racing writers can both answer 'created', so atomic create is NOT
 *   declared and the engine uses its fallback (write-once keys with content-derived names).
 *
 * Which mode is in use shows in `name` (e.g. `s3:bucket/lib [check-then-write]`), `mode`,
 * `modeReason` and `describe()`.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { isStorageError, StorageError, type ByteRange, type ListOptions, type ListPage, type PutResult, type Storage, type StorageCapabilities } from '@syncacross/sync-core';
import { KeyedQueue } from '@syncacross/sync-core/adapter-kit';
import type { ConditionalSupport } from './conditional-support.js';
import { isConditionalConflict, quoteEtag, type ObjectIO } from './object-io.js';

export type WriteMode = 'conditional' | 'check-then-write';

export interface S3Storage extends Storage {
  readonly mode: WriteMode;
  /** Why check-then-write is in use, when it is. */
  readonly modeReason?: string;
  readonly bucket: string;
  /** '' or ending with '/'. */
  readonly prefix: string;
  /** One sentence for `syncacross adapters` / status. */
  describe(): string;
  readonly client: S3Client;
}

export interface S3StorageSettings {
  io: ObjectIO;
  bucket: string;
  prefix: string;
  endpoint?: string;
  support: ConditionalSupport;
  /** In 'auto', a 501 to a conditional header later on switches to check-then-write. */
  autoDowngrade: boolean;
  multipartThreshold: number;
  maxObjectSize: number;
  log?: (message: string) => void;
}

/** Keys the adapter writes for itself; never listed to the engine. */
export const PROBE_DIR = '.syncacross-probe/';
/** 409 ConditionalRequestConflict retries before giving up with Unavailable. */
const CONFLICT_RETRIES = 6;
/** How long a check-then-write create waits for the store to show the object whole. */
const SETTLE_DEADLINE_MS = 60_000;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const conflictDelay = (attempt: number) => Math.min(1000, 20 * 2 ** attempt) * (0.5 + Math.random());

export function buildS3Storage(s: S3StorageSettings): S3Storage {
  const { io, prefix } = s;
  let mode: WriteMode = s.support.createIfAbsent ? 'conditional' : 'check-then-write';
  let modeReason = s.support.reason;
  const capabilities: StorageCapabilities = {
    atomicCreate: mode === 'conditional',
    compareAndSwap: s.support.compareAndSwap,
    rangedGet: true,
    // AWS has been strongly consistent since Dec 2020, and so are R2, MinIO and Ceph;
    // probeCapabilities measures it for the others.
    consistentListing: true,
    delete: true,
    maxObjectSize: s.maxObjectSize,
    caseInsensitiveNames: false,
    sortedListing: true,
    inPlaceWrites: mode === 'check-then-write',
  };
  const full = (key: string) => prefix + key;
  const where = `${s.bucket}${prefix === '' ? '' : `/${prefix.slice(0, -1)}`}${s.endpoint ? ` @${new URL(s.endpoint).host}` : ''}`;

  // check-then-write is not atomic across processes, and stores without conditional writes may
  // also write objects in place (s3rver streams into the final file, and even acknowledges a PUT
  // before its last bytes reach the disk), so other clients can see a prefix of an object being
  // written: declared as `inPlaceWrites`, which the engine tolerates (every object it reads is
  // named by its hash). Within this process we do better: creates of one key run one after
  // another, and a key we are still writing is neither listed nor readable (its HEAD said absent,
  // so NotFound is the linearizable answer). Hence atomicCreate: false, and the engine's
  // write-once, content-named keys.
  const createQueue = new KeyedQueue();
  // A store that ignores conditional headers earns a read-back: HEAD until the size we wrote
  // shows, so that 'created' means "whole for every reader". The deadline is generous (a loaded
  // machine can take seconds to flush 20 MiB); past it the write's outcome is unknown, which the
  // contract spells Unavailable, never 'created'.
  async function settled(key: string, size: number): Promise<void> {
    const deadline = Date.now() + SETTLE_DEADLINE_MS;
    for (let attempt = 0; ; attempt++) {
      if ((await io.head(key))?.size === size) return;
      if (Date.now() > deadline) throw new StorageError('Unavailable', `${storage.name}: wrote ${key} (${size} bytes) but the store did not show it whole within ${SETTLE_DEADLINE_MS / 1000} s`);
      await sleep(Math.min(250, 10 * 2 ** attempt));
    }
  }
  const writing = new Set<string>();
  function checkThenWrite(key: string, bytes: Uint8Array): Promise<PutResult> {
    return createQueue.run(key, async () => {
      if (await io.exists(key)) return 'exists';
      writing.add(key);
      try {
        await io.put(key, bytes);
        await settled(key, bytes.byteLength);
      } finally {
        writing.delete(key);
      }
      return 'created';
    });
  }

  function downgrade(reason: string): void {
    mode = 'check-then-write';
    modeReason = reason;
    capabilities.atomicCreate = false;
    capabilities.inPlaceWrites = true;
    s.log?.(`s3:${where}: ${reason}; switching to check-then-write (not atomic)`);
  }

  /** Runs a conditional write, retrying 409 ConditionalRequestConflict as AWS documents. */
  async function withConflictRetry<T>(what: string, write: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await write();
      } catch (e) {
        if (!isConditionalConflict(e)) throw e;
        if (attempt >= CONFLICT_RETRIES) throw new StorageError('Unavailable', `${what}: still in conflict with another conditional write after ${attempt + 1} attempts`, { cause: e });
        await sleep(conflictDelay(attempt));
      }
    }
  }

  async function conditionalCreate(key: string, bytes: Uint8Array): Promise<PutResult> {
    // Before uploading megabytes in parts, a HEAD finds most existing keys for the price of one request.
    if (bytes.byteLength >= s.multipartThreshold && (await io.exists(key))) return 'exists';
    try {
      await withConflictRetry(`putIfAbsent ${key}`, () => io.put(key, bytes, { ifNoneMatch: '*' }));
      return 'created';
    } catch (e) {
      if (isStorageError(e, 'PreconditionFailed')) return 'exists';
      if (isStorageError(e, 'NotSupported')) {
        if (!s.autoDowngrade) {
          throw new StorageError('NotSupported', `${e.message}. This store does not support conditional writes: set conditionalWrites to 'auto' or 'off'`, { cause: e });
        }
        downgrade('the store rejected If-None-Match (501 NotImplemented)');
        return checkThenWrite(key, bytes);
      }
      throw e;
    }
  }

  const storage: S3Storage = {
    get name() {
      return `s3:${where} [${mode}]`;
    },
    capabilities,
    get mode() {
      return mode;
    },
    get modeReason() {
      return modeReason;
    },
    bucket: s.bucket,
    prefix,
    client: io.client,
    describe() {
      const base = `S3 bucket ${s.bucket}${prefix ? `, prefix ${prefix}` : ''}${s.endpoint ? `, endpoint ${s.endpoint}` : ''}: `;
      if (mode === 'conditional') {
        return `${base}conditional writes (If-None-Match: *; atomic create${capabilities.compareAndSwap ? '; compare-and-swap with If-Match' : ''})`;
      }
      return `${base}check-then-write (HEAD then PUT; NOT atomic: the engine uses write-once keys)${modeReason ? `, because ${modeReason}` : ''}`;
    },
    putIfAbsent(key: string, bytes: Uint8Array): Promise<PutResult> {
      return mode === 'conditional' ? conditionalCreate(full(key), bytes) : checkThenWrite(full(key), bytes);
    },
    async get(key: string, options?: { range?: ByteRange }): Promise<Uint8Array> {
      if (writing.has(full(key))) throw new StorageError('NotFound', `${storage.name}: ${key} is still being written`);
      return io.get(full(key), options?.range);
    },
    async list(listPrefix: string, options: ListOptions = {}): Promise<ListPage> {
      const page = await io.listPage(full(listPrefix), {
        startAfter: options.startAfter === undefined ? undefined : full(options.startAfter),
        cursor: options.cursor,
        maxKeys: Math.max(1, Math.min(1000, options.pageSize ?? 1000)),
      });
      const objects = [];
      for (const o of page.objects) {
        if (!o.key.startsWith(prefix)) throw new StorageError('Corrupt', `${storage.name}: listing returned ${JSON.stringify(o.key)}, outside ${JSON.stringify(prefix)}`);
        const key = o.key.slice(prefix.length);
        if (key.startsWith(PROBE_DIR) || writing.has(o.key)) continue;
        objects.push({ key, size: o.size, ...(o.etag === undefined ? {} : { etag: o.etag }), ...(o.modified === undefined ? {} : { modified: o.modified }) });
      }
      return page.cursor === undefined ? { objects } : { objects, cursor: page.cursor };
    },
    delete(key: string): Promise<void> {
      return io.delete(full(key));
    },
    async close(): Promise<void> {
      io.client.destroy();
    },
  };
  if (capabilities.compareAndSwap) {
    storage.putIfMatch = async (key: string, bytes: Uint8Array, etag: string) => {
      try {
        const next = await withConflictRetry(`putIfMatch ${key}`, () => io.put(full(key), bytes, { ifMatch: quoteEtag(etag) }));
        return next === undefined ? {} : { etag: next };
      } catch (e) {
        // AWS answers 404 NoSuchKey to If-Match on a missing key (Ceph: 412); to the contract
        // both mean "the etag does not match".
        if (isStorageError(e, 'NotFound')) throw new StorageError('PreconditionFailed', `putIfMatch ${key}: the key does not exist`, { cause: e });
        throw e;
      }
    };
  }
  return storage;
}
