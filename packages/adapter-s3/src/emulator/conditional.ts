/**
 * Conditional writes (PutObject and CompleteMultipartUpload with If-None-Match / If-Match) as AWS
 * documents them:
 * - `If-None-Match: *` on an existing key → 412 PreconditionFailed; only `*` is accepted
 *   (https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html; other values
 *   are answered 501 NotImplemented, as AWS does per versity/versitygw#1708).
 * - `If-Match: <etag>` on another etag → 412; on a missing key → 404 NoSuchKey (AWS; Ceph answers
 *   412 instead: see the S3 fixture in elastic/elasticsearch#138542 and our design/backends.md).
 * - A conditional write that overlaps another one on the same key → 409
 *   ConditionalRequestConflict, "retry the upload" (API_PutObject.html, If-None-Match / If-Match).
 *   Overlap only exists when `conditionalWriteLatencyMs` > 0 holds each write open that long.
 * Modes model the S3-compatible stores that do not do this: `ignore` (s3rver, some gateways
 * silently overwrite) and `reject` (Backblaze B2: 501 NotImplemented, "A header you provided
 * implies functionality that is not implemented", sathinduga/obsidian-s3-sync-and-backup#78).
 */
import { s3Error, unquoted } from './responses.js';
import type { S3State, StoredObject } from './state.js';

export type ConditionalWriteMode = 'honor' | 'ignore' | 'reject';

export interface ConditionalSettings {
  mode: ConditionalWriteMode;
  latencyMs: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs `commit` if the request's preconditions hold against the object at commit time. */
export async function withPreconditions(state: S3State, settings: ConditionalSettings, request: Request, bucket: string, key: string, commit: () => Response | Promise<Response>): Promise<Response> {
  const method = request.method;
  const ifNoneMatch = request.headers.get('if-none-match');
  const ifMatch = request.headers.get('if-match');
  if ((ifNoneMatch === null && ifMatch === null) || settings.mode === 'ignore') return commit();
  if (settings.mode === 'reject' || (ifNoneMatch !== null && ifNoneMatch.trim() !== '*')) {
    return s3Error(method, 501, 'NotImplemented', 'A header you provided implies functionality that is not implemented', {
      Header: ifNoneMatch !== null ? 'If-None-Match' : 'If-Match',
    });
  }
  const lock = `${bucket}\0${key}`;
  if (settings.latencyMs > 0) {
    if (state.conditionalInFlight.has(lock)) {
      return s3Error(method, 409, 'ConditionalRequestConflict', 'A conflicting conditional operation is currently in progress against this resource. Please try again.');
    }
    state.conditionalInFlight.add(lock);
    try {
      await sleep(settings.latencyMs);
      return await evaluate();
    } finally {
      state.conditionalInFlight.delete(lock);
    }
  }
  return evaluate();

  async function evaluate(): Promise<Response> {
    const existing: StoredObject | undefined = state.bucket(bucket)?.get(key);
    if (ifNoneMatch !== null && existing) {
      return s3Error(method, 412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', { Condition: 'If-None-Match' });
    }
    if (ifMatch !== null) {
      if (!existing) return s3Error(method, 404, 'NoSuchKey', 'The specified key does not exist.', { Key: key });
      if (ifMatch.trim() !== '*' && unquoted(ifMatch) !== existing.etag) {
        return s3Error(method, 412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', { Condition: 'If-Match' });
      }
    }
    return commit();
  }
}
