/**
 * Errors that cross the storage contract. Core and callers branch on `code`, never on
 * `instanceof`, so two copies of sync-core loaded side by side still agree.
 */
export const STORAGE_ERROR_CODES = [
  'NotFound', // the key does not exist (a definite answer, never a guess)
  'AlreadyExists', // reserved for adapters' internal use; never crosses the contract (putIfAbsent answers 'exists')
  'PreconditionFailed', // putIfMatch: the current etag differs
  'RateLimited', // throttled; `retryAfterMs` says how long the backend asked us to wait
  'Unavailable', // unreachable, 5xx, timeout, incomplete listing: the outcome is UNKNOWN
  'AuthFailed', // wrong, expired or revoked credentials; retrying will not help
  'InvalidKey', // the key breaks the contract's key rules
  'TooLarge', // the object exceeds the backend's maximum size
  'Corrupt', // the backend returned something inconsistent (e.g. two different objects under one key)
  'NotSupported', // an optional operation or option this backend does not have
  'NoSpace', // the backend (or a local disk) is full
  'InvalidConfig', // adapter options are wrong
] as const;

/** The stable codes a {@link StorageError} carries (match on these, never on messages). */
export type StorageErrorCode = (typeof STORAGE_ERROR_CODES)[number];

const CODES: ReadonlySet<string> = new Set(STORAGE_ERROR_CODES);

/** A storage failure with a stable code: what adapters throw and the engine decides on (retry, fail, report). */
export class StorageError extends Error {
  /** What went wrong, e.g. `NotFound`, `Unavailable`, `RateLimited`, `AuthFailed`. */
  readonly code: StorageErrorCode;
  /** For RateLimited: how long the backend asked us to wait, when it said so. */
  readonly retryAfterMs?: number;
  /**
   * For Unavailable: the outcome is unknown, but asking again will not change it (a folder that
   * is not there, a 4xx the adapter cannot place): fail at once with the message, do not retry.
   */
  readonly permanent?: true;

  constructor(code: StorageErrorCode, message: string, options?: { cause?: unknown; retryAfterMs?: number; permanent?: boolean }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'StorageError';
    this.code = code;
    if (options?.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
    if (options?.permanent) this.permanent = true;
  }
}

/** True when `error` carries one of the contract's codes (optionally a specific one). */
export function isStorageError(error: unknown, code?: StorageErrorCode): error is StorageError {
  if (typeof error !== 'object' || error === null) return false;
  const c = (error as { code?: unknown }).code;
  if (typeof c !== 'string' || !CODES.has(c)) return false;
  return code === undefined || c === code;
}

/**
 * OS codes, anywhere in an error's `cause` chain, that a retry within seconds cannot fix: the
 * host name does not resolve (ENOTFOUND; EAI_AGAIN, a resolver that timed out, may recover).
 */
const PERMANENT_CAUSES: ReadonlySet<string> = new Set(['ENOTFOUND']);

/** The first code of PERMANENT_CAUSES in `error`'s cause chain (adapters wrap what they get). */
export function permanentCause(error: unknown): string | undefined {
  let e: unknown = error;
  for (let depth = 0; depth < 8 && typeof e === 'object' && e !== null; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && PERMANENT_CAUSES.has(code)) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Failures that asking again will not fix: marked so by the adapter, or a name that does not resolve. */
export function isPermanent(error: unknown): boolean {
  return (typeof error === 'object' && error !== null && (error as { permanent?: unknown }).permanent === true) || permanentCause(error) !== undefined;
}

/**
 * Errors whose outcome is unknown or transient and that may succeed when asked again: timeouts,
 * resets, refused connections (a server or NAS starting up), 5xx, 429. Not a missing folder, a
 * host name that does not resolve, or a 4xx: retrying those only delays the message.
 */
export function isTransient(error: unknown): boolean {
  return (isStorageError(error, 'Unavailable') || isStorageError(error, 'RateLimited')) && !isPermanent(error);
}

/** HTTP statuses that mean "this request will not succeed as it is": 4xx, except timeouts and throttling. */
export const isPermanentHttpStatus = (status: number): boolean => status >= 400 && status < 500 && status !== 408 && status !== 425 && status !== 429;

/**
 * Parses an HTTP Retry-After header (RFC 9110 §10.2.3: delay-seconds or an HTTP-date) into
 * milliseconds. Returns undefined when absent or unparseable, so callers fall back to back-off.
 */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (value === null || value === undefined || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}
