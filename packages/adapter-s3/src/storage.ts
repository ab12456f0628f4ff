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
 *
 * The operations live in put.ts (writes) and read.ts (get, list); this file wires them to one
 * S3Context (context.ts).
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { Storage } from '@syncacross/sync-core';
import { KeyedQueue } from '@syncacross/sync-core/adapter-kit';
import { full, storageName, type S3Context, type S3StorageSettings, type WriteMode } from './context.js';
import type { ProviderName } from './providers.js';
import { putIfAbsent, putIfMatch } from './put.js';
import { get, list } from './read.js';

export type { S3StorageSettings, WriteMode } from './context.js';

export interface S3Storage extends Storage {
  /** How create-if-absent is made on this store, as found at creation (`conditionalWrites`). */
  readonly mode: WriteMode;
  /** Why check-then-write is in use, when it is. */
  readonly modeReason?: string;
  /** The bucket's name. */
  readonly bucket: string;
  /** '' or ending with '/'. */
  readonly prefix: string;
  /** One sentence for `syncacross adapters` / status. */
  describe(): string;
  /** The AWS SDK client the adapter uses (for tests and diagnostics; requests made through it bypass the adapter's checks). */
  readonly client: S3Client;
  /** The provider profile in use (providers.ts). */
  readonly provider: ProviderName;
}

export function buildS3Storage(s: S3StorageSettings): S3Storage {
  const { io, prefix } = s;
  const mode: WriteMode = s.support.createIfAbsent ? 'conditional' : 'check-then-write';
  const ctx: S3Context = {
    settings: s,
    io,
    prefix,
    mode,
    modeReason: s.support.reason,
    capabilities: {
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
    },
    where: `${s.bucket}${prefix === '' ? '' : `/${prefix.slice(0, -1)}`}${s.endpoint ? ` @${new URL(s.endpoint).host}` : ''}`,
    createQueue: new KeyedQueue(),
    writing: new Set<string>(),
  };
  const storage: S3Storage = {
    // Getters: the mode can switch to check-then-write after the first rejected conditional write.
    get name() {
      return storageName(ctx);
    },
    capabilities: ctx.capabilities,
    get mode() {
      return ctx.mode;
    },
    get modeReason() {
      return ctx.modeReason;
    },
    bucket: s.bucket,
    prefix,
    client: io.client,
    provider: s.provider.name,
    describe: () => describe(ctx),
    putIfAbsent: (key, bytes) => putIfAbsent(ctx, key, bytes),
    get: (key, options) => get(ctx, key, options),
    list: (listPrefix, options) => list(ctx, listPrefix, options),
    delete: (key) => io.delete(full(ctx, key)),
    close: async () => io.client.destroy(),
  };
  if (ctx.capabilities.compareAndSwap) storage.putIfMatch = (key, bytes, etag) => putIfMatch(ctx, key, bytes, etag);
  return storage;
}

function describe(ctx: S3Context): string {
  const s = ctx.settings;
  const prefix = ctx.prefix;
  const base = `S3 bucket ${s.bucket}${prefix ? `, prefix ${prefix}` : ''}${s.endpoint ? `, endpoint ${s.endpoint}` : ''} (${s.provider.label} profile): `;
  if (ctx.mode === 'conditional') {
    const large = s.support.multipartCreateIfAbsent ? '' : `; every object in one PUT, at most 5 GiB, because ${s.support.multipartReason}`;
    return `${base}conditional writes (If-None-Match: *; atomic create${ctx.capabilities.compareAndSwap ? '; compare-and-swap with If-Match' : ''}${large})`;
  }
  return `${base}check-then-write (HEAD then PUT; NOT atomic: the engine uses write-once keys)${ctx.modeReason ? `, because ${ctx.modeReason}` : ''}`;
}
