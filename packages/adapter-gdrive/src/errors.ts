/**
 * Maps what googleapis/gaxios throw to the storage contract's error codes. Drive's reasons come
 * from "Resolve errors" (https://developers.google.com/drive/api/guides/handle-errors): 403
 * `userRateLimitExceeded`/`rateLimitExceeded` and 429 are throttling (back off and retry, also for
 * POSTs, which gaxios never retries); 5xx are transient; 401 means the credentials are bad. The
 * token endpoint answers 400 `{"error":"invalid_grant","error_description":"Token has been expired
 * or revoked."}` when the user revoked access or a testing-mode client's 7-day token expired.
 */
import { parseRetryAfter, StorageError } from '@syncacross/sync-core';
import { errorFromHttpStatus, type StatusOverrides } from '@syncacross/sync-core/adapter-kit';

export const REAUTH_HINT = 'run `syncacross auth gdrive` to authorize again';

interface GaxiosLike {
  message?: string;
  code?: string | number;
  status?: number;
  response?: { status?: number; data?: unknown; headers?: unknown };
}

const THROTTLE_REASONS = new Set(['userRateLimitExceeded', 'rateLimitExceeded', 'sharingRateLimitExceeded', 'dailyLimitExceeded']);

function headerOf(headers: unknown, name: string): string | undefined {
  if (!headers) return undefined;
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const v = (headers as Record<string, unknown>)[name];
  return typeof v === 'string' ? v : undefined;
}

/** The body as an object, whatever responseType the request used (arraybuffer, text, json). */
function bodyOf(data: unknown): Record<string, unknown> | undefined {
  try {
    if (data instanceof ArrayBuffer) data = Buffer.from(data).toString('utf8');
    if (Buffer.isBuffer(data)) data = data.toString('utf8');
    if (typeof data === 'string') data = JSON.parse(data);
  } catch {
    return undefined;
  }
  return data && typeof data === 'object' ? (data as Record<string, unknown>) : undefined;
}

function driveReason(error: unknown): string | undefined {
  const body = bodyOf((error as GaxiosLike)?.response?.data);
  const err = body?.error;
  if (typeof err === 'string') return err; // OAuth token endpoint shape
  const errors = (err as { errors?: { reason?: string }[] } | undefined)?.errors;
  return errors?.[0]?.reason;
}

export function httpStatus(error: unknown): number | undefined {
  const e = error as GaxiosLike;
  return e?.response?.status ?? (typeof e?.status === 'number' ? e.status : undefined);
}

/**
 * What Drive says differently from the shared table (errorFromHttpStatus in the adapter kit):
 * its 400 is "a parameter is invalid" (a malformed folderId, say), which comes from the options.
 * A 403 whose reason is neither throttling nor quota is about rights: the table's AuthFailed.
 */
const DRIVE_STATUSES: StatusOverrides = {
  400: { code: 'InvalidConfig' },
  401: { code: 'AuthFailed', suffix: `: ${REAUTH_HINT}` },
};

/** Turns any failure of a Drive call into a StorageError (404 included: callers decide what it means). */
export function toStorageError(error: unknown, what: string): StorageError {
  if (error instanceof StorageError) return error;
  const e = error as GaxiosLike;
  const status = httpStatus(error);
  const reason = driveReason(error);
  const body = bodyOf(e?.response?.data);
  const detail = typeof body?.error === 'object' ? (body.error as { message?: string }).message : typeof body?.error_description === 'string' ? body.error_description : e?.message;
  const msg = `gdrive: ${what}: ${status ?? e?.code ?? 'network error'}${reason ? ` ${reason}` : ''}${detail ? ` (${detail})` : ''}`;
  const opts = { cause: error };
  if (reason === 'invalid_grant') {
    return new StorageError('AuthFailed', `gdrive: Google refused the stored authorization (invalid_grant: revoked, expired, or issued to another client): ${REAUTH_HINT}`, opts);
  }
  if (reason === 'invalid_client' || reason === 'unauthorized_client') return new StorageError('AuthFailed', `${msg}: check clientId/clientSecret`, opts);
  if (status === undefined) {
    if (typeof e?.message === 'string' && /No refresh token|No access, refresh token/i.test(e.message)) {
      return new StorageError('AuthFailed', `gdrive: not authorized: ${REAUTH_HINT}`, opts);
    }
    return new StorageError('Unavailable', msg, opts);
  }
  const retryAfter = headerOf(e.response?.headers, 'retry-after');
  if (status === 403 && reason !== undefined && THROTTLE_REASONS.has(reason)) {
    const retryAfterMs = parseRetryAfter(retryAfter);
    return new StorageError('RateLimited', msg, { ...opts, retryAfterMs });
  }
  if (status === 403 && reason === 'storageQuotaExceeded') return new StorageError('NoSpace', msg, opts);
  return errorFromHttpStatus(status, msg, { retryAfter, overrides: DRIVE_STATUSES, cause: error });
}
