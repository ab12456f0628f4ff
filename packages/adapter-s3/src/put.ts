/**
 * The S3 writes: putIfAbsent in either write mode (conditional, or check-then-write with its
 * read-back), the switch from one to the other, and putIfMatch (`If-Match`).
 */
import { isStorageError, StorageError, type PutResult } from '@syncacross/sync-core';
import { full, storageName, type S3Context } from './context.js';
import { isConditionalConflict, quoteEtag } from './object-io.js';

/** 409 ConditionalRequestConflict retries before giving up with Unavailable. */
const CONFLICT_RETRIES = 6;
/** How long a check-then-write create waits for the store to show the object whole. */
const SETTLE_DEADLINE_MS = 60_000;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const conflictDelay = (attempt: number) => Math.min(1000, 20 * 2 ** attempt) * (0.5 + Math.random());

export function putIfAbsent(ctx: S3Context, key: string, bytes: Uint8Array): Promise<PutResult> {
  return ctx.mode === 'conditional' ? conditionalCreate(ctx, full(ctx, key), bytes) : checkThenWrite(ctx, full(ctx, key), bytes);
}

export async function putIfMatch(ctx: S3Context, key: string, bytes: Uint8Array, etag: string): Promise<{ etag?: string }> {
  try {
    const next = await withConflictRetry(`putIfMatch ${key}`, () => ctx.io.put(full(ctx, key), bytes, { ifMatch: quoteEtag(etag) }));
    return next === undefined ? {} : { etag: next };
  } catch (e) {
    // AWS answers 404 NoSuchKey to If-Match on a missing key (Ceph: 412); to the contract
    // both mean "the etag does not match".
    if (isStorageError(e, 'NotFound')) throw new StorageError('PreconditionFailed', `putIfMatch ${key}: the key does not exist`, { cause: e });
    throw e;
  }
}

// check-then-write is not atomic across processes, and stores without conditional writes may
// also write objects in place (s3rver streams into the final file, and even acknowledges a PUT
// before its last bytes reach the disk), so other clients can see a prefix of an object being
// written: declared as `inPlaceWrites`, which the engine tolerates (every object it reads is
// named by its hash). Within this process we do better: creates of one key run one after
// another (ctx.createQueue), and a key we are still writing (ctx.writing) is neither listed nor
// readable (its HEAD said absent, so NotFound is the linearizable answer). Hence atomicCreate:
// false, and the engine's write-once, content-named keys.
function checkThenWrite(ctx: S3Context, key: string, bytes: Uint8Array): Promise<PutResult> {
  const { io, writing } = ctx;
  return ctx.createQueue.run(key, async () => {
    if (await io.exists(key)) return 'exists';
    writing.add(key);
    try {
      await io.put(key, bytes);
      await settled(ctx, key, bytes.byteLength);
    } finally {
      writing.delete(key);
    }
    return 'created';
  });
}

// A store that ignores conditional headers earns a read-back: HEAD until the size we wrote
// shows, so that 'created' means "whole for every reader". The deadline is generous (a loaded
// machine can take seconds to flush 20 MiB); past it the write's outcome is unknown, which the
// contract spells Unavailable, never 'created'.
async function settled(ctx: S3Context, key: string, size: number): Promise<void> {
  const deadline = Date.now() + SETTLE_DEADLINE_MS;
  for (let attempt = 0; ; attempt++) {
    if ((await ctx.io.head(key))?.size === size) return;
    if (Date.now() > deadline) throw new StorageError('Unavailable', `${storageName(ctx)}: wrote ${key} (${size} bytes) but the store did not show it whole within ${SETTLE_DEADLINE_MS / 1000} s`);
    await sleep(Math.min(250, 10 * 2 ** attempt));
  }
}

function downgrade(ctx: S3Context, reason: string): void {
  ctx.mode = 'check-then-write';
  ctx.modeReason = reason;
  ctx.capabilities.atomicCreate = false;
  ctx.capabilities.inPlaceWrites = true;
  ctx.settings.log?.(`s3:${ctx.where}: ${reason}; switching to check-then-write (not atomic)`);
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

async function conditionalCreate(ctx: S3Context, key: string, bytes: Uint8Array): Promise<PutResult> {
  const io = ctx.io;
  // Before uploading megabytes in parts, a HEAD finds most existing keys for the price of one request.
  if (bytes.byteLength >= io.multipartThreshold && (await io.exists(key))) return 'exists';
  try {
    await withConflictRetry(`putIfAbsent ${key}`, () => io.put(key, bytes, { ifNoneMatch: '*' }));
    return 'created';
  } catch (e) {
    if (isStorageError(e, 'PreconditionFailed')) return 'exists';
    if (isStorageError(e, 'NotSupported')) {
      if (!ctx.settings.autoDowngrade) {
        throw new StorageError('NotSupported', `${e.message}. This store does not support conditional writes: set conditionalWrites to 'auto' or 'off'`, { cause: e });
      }
      downgrade(ctx, 'the store rejected If-None-Match (501 NotImplemented)');
      return checkThenWrite(ctx, key, bytes);
    }
    throw e;
  }
}
