/**
 * Finds out, with real writes, whether the store honors conditional writes. S3-compatible stores
 * differ (design/backends.md): AWS, R2, Ceph and current MinIO honor `If-None-Match: *`;
 * Backblaze B2 answers 501 NotImplemented; s3rver and some gateways silently overwrite. Only a
 * second create of one key tells the last case apart, so that is what we do, on a throw-away key
 * under the library's prefix (`.syncacross-probe/<uuid>`), deleted afterwards.
 *
 * Conditions are measured per operation: some stores honor `If-None-Match` on PutObject and
 * silently overwrite on CompleteMultipartUpload (moto did; Ceph is untested: issue 24). So the
 * probe also completes a one-part multipart upload onto the existing key, which must be refused.
 * Cost: 8 requests in 'auto' mode on a store that honors both (3 PUTs, a multipart upload of one
 * tiny part that is refused and aborted, one DELETE); fewer where the store fails earlier.
 */
import { randomUUID } from 'node:crypto';
import { isStorageError } from '@syncacross/sync-core';
import { isConditionalConflict, type ObjectIO } from './object-io.js';

export interface ConditionalSupport {
  /** `If-None-Match: *` on PutObject refuses to overwrite. */
  createIfAbsent: boolean;
  /** `If-None-Match: *` on CompleteMultipartUpload refuses to overwrite (large objects). */
  multipartCreateIfAbsent: boolean;
  /** Why not, when it does not. */
  multipartReason?: string;
  /** `If-Match: <etag>` refuses a stale etag. */
  compareAndSwap: boolean;
  /** Why not, in words a user can act on. */
  reason?: string;
}

const refused = (e: unknown) => isStorageError(e, 'PreconditionFailed') || isConditionalConflict(e);
const text = (s: string) => new TextEncoder().encode(s);
const none = (reason: string): ConditionalSupport => ({ createIfAbsent: false, multipartCreateIfAbsent: false, compareAndSwap: false, reason });

/** A multipart completion onto the existing `key` with If-None-Match: * must be refused. */
async function multipartRefusesOverwrite(io: ObjectIO, key: string): Promise<Pick<ConditionalSupport, 'multipartCreateIfAbsent' | 'multipartReason'>> {
  try {
    await io.putInParts(key, text('probe 4'), { ifNoneMatch: '*' });
    return { multipartCreateIfAbsent: false, multipartReason: 'CompleteMultipartUpload ignores If-None-Match (a multipart completion overwrote the probe key)' };
  } catch (e) {
    if (isStorageError(e, 'NotSupported')) return { multipartCreateIfAbsent: false, multipartReason: 'CompleteMultipartUpload rejects If-None-Match (501 NotImplemented)' };
    if (!refused(e)) throw e;
    return { multipartCreateIfAbsent: true };
  }
}

export async function detectConditionalWrites(io: ObjectIO, prefix: string): Promise<ConditionalSupport> {
  const key = `${prefix}.syncacross-probe/${randomUUID()}`;
  try {
    try {
      await io.put(key, text('probe 1'), { ifNoneMatch: '*' });
    } catch (e) {
      if (isStorageError(e, 'NotSupported')) return none('the store rejects If-None-Match (501 NotImplemented)');
      throw e;
    }
    try {
      await io.put(key, text('probe 2'), { ifNoneMatch: '*' });
      return none('the store ignores If-None-Match (a second create of one key overwrote the first)');
    } catch (e) {
      if (isStorageError(e, 'NotSupported')) return none('the store rejects If-None-Match on existing keys (501 NotImplemented)');
      if (!refused(e)) throw e;
    }
    const multipart = await multipartRefusesOverwrite(io, key);
    try {
      await io.put(key, text('probe 3'), { ifMatch: '"00000000000000000000000000000000"' });
      return { createIfAbsent: true, ...multipart, compareAndSwap: false, reason: 'the store ignores If-Match' };
    } catch (e) {
      if (isStorageError(e, 'NotSupported')) return { createIfAbsent: true, ...multipart, compareAndSwap: false, reason: 'the store rejects If-Match (501 NotImplemented)' };
      if (!refused(e)) throw e;
      return { createIfAbsent: true, ...multipart, compareAndSwap: true };
    }
  } finally {
    await io.delete(key).catch(() => undefined);
  }
}
