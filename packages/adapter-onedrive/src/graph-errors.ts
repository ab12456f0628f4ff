/**
 * Maps Graph answers to the contract's error codes. Status codes and error codes from
 * https://learn.microsoft.com/graph/errors: 404 itemNotFound, 409 nameAlreadyExists,
 * 412 preconditionFailed, 413 requestEntityTooLarge, 429/503 with Retry-After (throttling),
 * 507 insufficientStorage / quotaLimitReached; 401/403 for credentials and consent.
 */
import { isPermanentHttpStatus, parseRetryAfter, StorageError } from '@syncacross/sync-core';

export interface GraphFailure {
  status: number;
  code?: string;
  message?: string;
  retryAfter?: string | null;
}

/** Reads status, Graph error code and Retry-After from a GraphError (or any thrown value). */
export function graphFailure(error: unknown): GraphFailure {
  const e = error as { statusCode?: number; code?: string; message?: string; headers?: Headers; body?: unknown };
  const status = typeof e?.statusCode === 'number' ? e.statusCode : -1;
  return { status, code: e?.code ?? undefined, message: e?.message, retryAfter: e?.headers?.get?.('retry-after') ?? null };
}

export async function responseFailure(response: Response): Promise<GraphFailure> {
  let code: string | undefined;
  let message: string | undefined;
  try {
    const body = (await response.json()) as { error?: { code?: string; message?: string } };
    code = body.error?.code;
    message = body.error?.message;
  } catch {
    // not JSON: keep the status alone
  }
  return { status: response.status, code, message, retryAfter: response.headers.get('retry-after') };
}

export const isThrottle = (f: GraphFailure) => f.status === 429 || (f.status === 503 && f.retryAfter != null);

export function toStorageError(f: GraphFailure, what: string, cause?: unknown): StorageError {
  const detail = `${what}: ${f.status === -1 ? 'network error' : `HTTP ${f.status}`}${f.code ? ` ${f.code}` : ''}${f.message ? ` (${f.message})` : ''}`;
  const opts = cause === undefined ? {} : { cause };
  if (isThrottle(f)) {
    const retryAfterMs = parseRetryAfter(f.retryAfter);
    return new StorageError('RateLimited', detail, retryAfterMs === undefined ? opts : { ...opts, retryAfterMs });
  }
  switch (f.status) {
    case 404:
      return new StorageError('NotFound', detail, opts);
    case 412:
      return new StorageError('PreconditionFailed', detail, opts);
    case 413:
      return new StorageError('TooLarge', detail, opts);
    case 507:
      return new StorageError('NoSpace', detail, opts);
    case 401:
    case 403:
      return new StorageError('AuthFailed', `${detail}. If the sign-in expired or was revoked, run \`syncacross auth onedrive\` again.`, opts);
    case 400:
      return new StorageError('InvalidConfig', detail, opts);
  }
  if (f.code === 'quotaLimitReached' || f.code === 'insufficientStorage') return new StorageError('NoSpace', detail, opts);
  // Network errors, 5xx, and anything unexpected: the outcome is unknown (a 4xx will not change
  // by asking again: not retried).
  return new StorageError('Unavailable', detail, { ...opts, permanent: isPermanentHttpStatus(f.status) });
}

/** The HTTP status behind a mapped error (its Graph cause), or -1. */
export function httpStatusOf(error: unknown): number {
  const cause = (error as { cause?: { statusCode?: unknown } } | undefined)?.cause;
  return typeof cause?.statusCode === 'number' ? cause.statusCode : -1;
}
