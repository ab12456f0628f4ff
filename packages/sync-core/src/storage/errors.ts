/**
 * Errors that cross the storage contract. Core and callers branch on `code`, never on
 * `instanceof`, so two copies of sync-core loaded side by side still agree.
 */
export const STORAGE_ERROR_CODES = [
  'NotFound', // the key does not exist (a definite answer, never a guess)
  'AlreadyExists', // reserved for adapters that need it internally; putIfAbsent answers 'exists' instead
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

export type StorageErrorCode = (typeof STORAGE_ERROR_CODES)[number];

const CODES: ReadonlySet<string> = new Set(STORAGE_ERROR_CODES);

export class StorageError extends Error {
  readonly code: StorageErrorCode;
  /** For RateLimited: how long the backend asked us to wait, when it said so. */
  readonly retryAfterMs?: number;

  constructor(code: StorageErrorCode, message: string, options?: { cause?: unknown; retryAfterMs?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'StorageError';
    this.code = code;
    if (options?.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
  }
}

/** True when `error` carries one of the contract's codes (optionally a specific one). */
export function isStorageError(error: unknown, code?: StorageErrorCode): error is StorageError {
  if (typeof error !== 'object' || error === null) return false;
  const c = (error as { code?: unknown }).code;
  if (typeof c !== 'string' || !CODES.has(c)) return false;
  return code === undefined || c === code;
}

/** Errors whose outcome is unknown or transient: the same request may succeed later. */
export function isTransient(error: unknown): boolean {
  return isStorageError(error, 'Unavailable') || isStorageError(error, 'RateLimited');
}

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
