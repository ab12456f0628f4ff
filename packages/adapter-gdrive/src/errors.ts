/**
 * Maps what googleapis/gaxios throw to the storage contract's error codes. Drive's reasons come
 * from "Resolve errors" (https://developers.google.com/drive/api/guides/handle-errors): 403
 * `userRateLimitExceeded`/`rateLimitExceeded` and 429 are throttling (back off and retry, also for
 * POSTs, which gaxios never retries); 5xx are transient; 401 means the credentials are bad. The
 * token endpoint answers 400 `{"error":"invalid_grant","error_description":"Token has been expired
 * or revoked."}` when the user revoked access or a testing-mode client's 7-day token expired.
 *
 * Not every 403 is throttling or bad credentials (see QUOTA_REASONS and PERMISSION_REASONS below,
 * and emulator/real-world.ts for the sources). The contract has no "quota" or "permission" code,
 * so each is mapped to the code whose handling is right, with a message that names the cause:
 * - a full store (Drive storage, a folder's 500,000 items, a shared drive's item cap) and the
 *   750 GiB/day upload cap: `NoSpace`. Writes cannot go on until someone acts or the day passes;
 *   the CLI says "the remote is full … raise the quota"; never retried, never "sign in again".
 * - a per-file download quota and the project's daily API quota: `Unavailable`, permanent.
 *   Reads of other files still work and the next sync (after Google lifts it, within 24 h) will
 *   too; retrying within seconds would only burn requests. (RateLimited would pause every request
 *   for minutes, then fail anyway.)
 * - a file this account may not delete (another account's copy; a shared-drive content manager):
 *   `Unavailable`, permanent. The sign-in is fine, so not AuthFailed; delete tries trashing first
 *   (drive-api.ts remove).
 */
import { parseRetryAfter, StorageError } from '@syncacross/sync-core';
import { errorFromHttpStatus, type StatusOverrides } from '@syncacross/sync-core/adapter-kit';

/** What to do about a refused or expired sign-in, appended to AuthFailed messages. */
export const REAUTH_HINT = 'run `syncacross auth gdrive` to authorize again';

interface GaxiosLike {
  message?: string;
  code?: string | number;
  status?: number;
  response?: { status?: number; data?: unknown; headers?: unknown };
}

const THROTTLE_REASONS = new Set(['userRateLimitExceeded', 'rateLimitExceeded', 'sharingRateLimitExceeded']);

/** 403 reasons that mean "full": writes wait for space, a new folder, or the next day. */
const FULL_REASONS: Readonly<Record<string, string>> = {
  storageQuotaExceeded: "the account's Drive storage is full",
  numChildrenInNonRootLimitExceeded: 'a Drive folder holds at most 500,000 items and this one is full',
  teamDriveFileLimitExceeded: 'the shared drive holds as many items as Drive allows',
  activeItemCreationLimitExceeded: 'this account has created as many items as Drive allows',
};

/** 403 reasons that mean "not today": time-limited quotas, lifted by Google within 24 hours. */
const QUOTA_REASONS: Readonly<Record<string, string>> = {
  downloadQuotaExceeded: "this file's Drive download quota is used up (Google lifts it within 24 hours; other files still download)",
  dailyLimitExceeded: "the OAuth client's daily Drive API quota is used up (it resets daily; raise it in Google Cloud Console)",
};

/** 403 reasons about one file's permissions, not about the sign-in. */
const PERMISSION_REASONS = new Set(['insufficientFilePermissions']);

/**
 * The 750 GiB/day upload cap answers 403 userRateLimitExceeded like ordinary throttling, with
 * only a shorter message, "User rate limit exceeded." (rclone backend/drive/drive.go shouldRetry,
 * `--drive-stop-on-upload-limit`; Google does not document it, so this may change).
 */
const UPLOAD_CAP_MESSAGE = 'User rate limit exceeded.';

interface DriveErrorDetail {
  reason?: string;
  message?: string;
}

/** A header of an answer, whether its headers are a `Headers` or a plain object. */
export function headerOf(headers: unknown, name: string): string | undefined {
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

/** Drive's first `errors[]` entry (reason and message), or the OAuth endpoint's `error`. */
function driveDetail(error: unknown): DriveErrorDetail {
  const body = bodyOf((error as GaxiosLike)?.response?.data);
  const err = body?.error;
  if (typeof err === 'string') return { reason: err }; // OAuth token endpoint shape
  const first = (err as { errors?: DriveErrorDetail[] } | undefined)?.errors?.[0];
  return { reason: first?.reason, message: first?.message };
}

/** True when a StorageError came from a create into a folder that holds Drive's 500,000 items (put.ts). */
export function isFolderFull(error: unknown): boolean {
  return driveDetail((error as { cause?: unknown })?.cause).reason === 'numChildrenInNonRootLimitExceeded';
}

/** True when a StorageError came from a 403 about one file's permissions (drive-api.ts remove). */
export function isFilePermissionRefusal(error: unknown): boolean {
  const reason = driveDetail((error as { cause?: unknown })?.cause).reason;
  return reason !== undefined && PERMISSION_REASONS.has(reason);
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
  const { reason, message: reasonMessage } = driveDetail(error);
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
  if (status === 403 && reason !== undefined) {
    const special = forbiddenError(reason, reasonMessage, msg, opts);
    if (special) return special;
    if (THROTTLE_REASONS.has(reason)) return new StorageError('RateLimited', msg, { ...opts, retryAfterMs: parseRetryAfter(retryAfter) });
  }
  return errorFromHttpStatus(status, msg, { retryAfter, overrides: DRIVE_STATUSES, cause: error });
}

/** A 403 that is neither throttling nor bad credentials: full, out of quota, or no right on one file. */
function forbiddenError(reason: string, reasonMessage: string | undefined, msg: string, opts: { cause: unknown }): StorageError | undefined {
  if (reason === 'userRateLimitExceeded' && reasonMessage === UPLOAD_CAP_MESSAGE) {
    return new StorageError('NoSpace', `${msg}: Google Drive's upload limit (750 GB per user per 24 hours) is reached; uploads resume within 24 hours`, opts);
  }
  const full = FULL_REASONS[reason];
  if (full) return new StorageError('NoSpace', `${msg}: ${full}`, opts);
  const quota = QUOTA_REASONS[reason];
  if (quota) return new StorageError('Unavailable', `${msg}: ${quota}`, { ...opts, permanent: true });
  if (PERMISSION_REASONS.has(reason)) {
    return new StorageError(
      'Unavailable',
      `${msg}: this account may not do that to this file (another account owns it, or your role in the shared drive does not allow it); the sign-in itself is fine`,
      { ...opts, permanent: true },
    );
  }
  return undefined;
}
