/**
 * Maps Graph answers to the contract's error codes. Status codes and error codes from
 * https://learn.microsoft.com/graph/errors: 404 itemNotFound, 409 nameAlreadyExists,
 * 412 preconditionFailed, 413 requestEntityTooLarge, 429/503 with Retry-After (throttling),
 * 507 insufficientStorage / quotaLimitReached; 401/403 for credentials and consent.
 */
import { StorageError } from '@syncacross/sync-core';
import { ERROR_BODY_LIMIT, errorFromHttpStatus, readBodyWithin, type StatusOverrides } from '@syncacross/sync-core/adapter-kit';

export interface GraphFailure {
  status: number;
  code?: string;
  /** The detailed codes nested in `innerError` (https://learn.microsoft.com/onedrive/developer/rest-api/concepts/errors). */
  detailCodes?: string[];
  message?: string;
  retryAfter?: string | null;
}

/** Reads status, Graph error code and Retry-After from a GraphError (or any thrown value). */
export function graphFailure(error: unknown): GraphFailure {
  const e = error as { statusCode?: number; code?: string; message?: string; headers?: Headers; body?: unknown };
  const status = typeof e?.statusCode === 'number' ? e.statusCode : -1;
  let body: unknown = e?.body;
  try {
    body = typeof body === 'string' ? JSON.parse(body) : body;
  } catch {
    body = undefined;
  }
  // The SDK keeps the error object itself, or the whole `{"error":{…}}` when it did not parse the body.
  const inner = (body as { error?: unknown } | undefined)?.error ?? body;
  return { status, code: e?.code ?? undefined, detailCodes: innerCodes(inner), message: e?.message, retryAfter: e?.headers?.get?.('retry-after') ?? null };
}

/** Codes of nested `innerError` objects (spelled `innererror` in older OneDrive answers). */
function innerCodes(error: unknown): string[] {
  const out: string[] = [];
  let cur = (error as { innerError?: unknown; innererror?: unknown } | undefined) ?? undefined;
  for (let depth = 0; cur && depth < 8; depth++) {
    const next = (cur.innerError ?? cur.innererror) as { code?: unknown; innerError?: unknown; innererror?: unknown } | undefined;
    if (typeof next?.code === 'string') out.push(next.code);
    cur = next;
  }
  return out;
}

export async function responseFailure(response: Response): Promise<GraphFailure> {
  let code: string | undefined;
  let message: string | undefined;
  let detailCodes: string[] | undefined;
  try {
    // Only a message's worth: a hostile or broken server's endless error body is not read to its end.
    const text = response.body ? (await readBodyWithin(response.body, { limit: ERROR_BODY_LIMIT })).toString('utf8') : '';
    const body = JSON.parse(text) as { error?: { code?: string; message?: string } };
    code = body.error?.code;
    message = body.error?.message;
    detailCodes = innerCodes(body.error);
  } catch {
    // not JSON: keep the status alone
  }
  return { status: response.status, code, detailCodes, message, retryAfter: response.headers.get('retry-after') };
}

/**
 * What Graph says differently from the shared table (errorFromHttpStatus in the adapter kit):
 * 400 is "malformed or incorrect" (https://learn.microsoft.com/graph/errors), and what we send
 * comes from the options (drive id, folder path), so it is InvalidConfig.
 */
const AUTH_HINT = '. If the sign-in expired or was revoked, run `syncacross auth onedrive` again.';
/**
 * 509 Bandwidth Limit Exceeded is SharePoint's throttle for an app or tenant over its bandwidth
 * (https://learn.microsoft.com/sharepoint/dev/general-development/how-to-avoid-getting-throttled-or-blocked-in-sharepoint-online;
 * rclone's backend/onedrive/onedrive.go retries 509 with its pacer): RateLimited, so the engine backs off.
 */
const GRAPH_STATUSES: StatusOverrides = {
  400: { code: 'InvalidConfig' },
  401: { code: 'AuthFailed', suffix: AUTH_HINT },
  403: { code: 'AuthFailed', suffix: AUTH_HINT },
  509: { code: 'RateLimited' },
};

export function toStorageError(f: GraphFailure, what: string, cause?: unknown): StorageError {
  const detail = `${what}: ${f.status === -1 ? 'network error' : `HTTP ${f.status}`}${f.code ? ` ${f.code}` : ''}${f.message ? ` (${f.message})` : ''}`;
  // A path or folder depth the drive refuses is about the key, not the options (rclone's
  // changelog: "Do not retry on `400 pathIsTooLong` error").
  if (f.status === 400 && f.detailCodes?.some((c) => c === 'pathIsTooLong' || c === 'pathTooDeep')) {
    return new StorageError('InvalidKey', `${detail} [${f.detailCodes.join(', ')}]`, cause === undefined ? {} : { cause });
  }
  const error = errorFromHttpStatus(f.status, detail, { retryAfter: f.retryAfter, overrides: GRAPH_STATUSES, cause });
  // Network errors, 5xx and anything unexpected are Unavailable, unless Graph's code says full.
  if (error.code === 'Unavailable' && (f.code === 'quotaLimitReached' || f.code === 'insufficientStorage')) {
    return new StorageError('NoSpace', detail, cause === undefined ? {} : { cause });
  }
  return error;
}

/** The HTTP status behind a mapped error (its Graph cause), or -1. */
export function httpStatusOf(error: unknown): number {
  const cause = (error as { cause?: { statusCode?: unknown } } | undefined)?.cause;
  return typeof cause?.statusCode === 'number' ? cause.statusCode : -1;
}
