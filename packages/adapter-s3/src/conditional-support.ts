/**
 * Finds out, with real writes, whether the store honors conditional writes. S3-compatible stores
 * differ (design/backends.md): AWS, R2, Ceph and current MinIO honor `If-None-Match: *`;
 * Backblaze B2 answers 501 NotImplemented; s3rver and some gateways silently overwrite. Only a
 * second create of one key tells the last case apart, so that is what we do, on a throw-away key
 * under the library's prefix (`.syncacross-probe/<uuid>`), deleted afterwards.
 * Cost: 3 or 4 requests when the storage is created in 'auto' mode.
 */
import { randomUUID } from 'node:crypto';
import { isStorageError } from '@syncacross/sync-core';
import { isConditionalConflict, type ObjectIO } from './object-io.js';

export interface ConditionalSupport {
  /** `If-None-Match: *` refuses to overwrite. */
  createIfAbsent: boolean;
  /** `If-Match: <etag>` refuses a stale etag. */
  compareAndSwap: boolean;
  /** Why not, in words a user can act on. */
  reason?: string;
}

const refused = (e: unknown) => isStorageError(e, 'PreconditionFailed') || isConditionalConflict(e);

export async function detectConditionalWrites(io: ObjectIO, prefix: string): Promise<ConditionalSupport> {
  const key = `${prefix}.syncacross-probe/${randomUUID()}`;
  const text = (s: string) => new TextEncoder().encode(s);
  try {
    try {
      await io.put(key, text('probe 1'), { ifNoneMatch: '*' });
    } catch (e) {
      if (isStorageError(e, 'NotSupported')) return { createIfAbsent: false, compareAndSwap: false, reason: 'the store rejects If-None-Match (501 NotImplemented)' };
      throw e;
    }
    try {
      await io.put(key, text('probe 2'), { ifNoneMatch: '*' });
      return { createIfAbsent: false, compareAndSwap: false, reason: 'the store ignores If-None-Match (a second create of one key overwrote the first)' };
    } catch (e) {
      if (isStorageError(e, 'NotSupported')) return { createIfAbsent: false, compareAndSwap: false, reason: 'the store rejects If-None-Match on existing keys (501 NotImplemented)' };
      if (!refused(e)) throw e;
    }
    try {
      await io.put(key, text('probe 3'), { ifMatch: '"00000000000000000000000000000000"' });
      return { createIfAbsent: true, compareAndSwap: false, reason: 'the store ignores If-Match' };
    } catch (e) {
      if (isStorageError(e, 'NotSupported')) return { createIfAbsent: true, compareAndSwap: false, reason: 'the store rejects If-Match (501 NotImplemented)' };
      if (!refused(e)) throw e;
      return { createIfAbsent: true, compareAndSwap: true };
    }
  } finally {
    await io.delete(key).catch(() => undefined);
  }
}
