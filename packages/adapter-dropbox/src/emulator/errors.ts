/**
 * Dropbox API error answers. Route errors are 409 with `{"error_summary", "error"}` where `error`
 * is a tagged union: a union-valued variant nests under its own tag name
 * (`{".tag":"path","path":{".tag":"not_found"}}`), a struct-valued variant inlines its fields
 * (`files/upload`: `{".tag":"path","reason":{".tag":"conflict",...},"upload_session_id":"…"}`,
 * as reported in dropbox/SwiftyDropbox#229 and looker-open-source/actions#3).
 * 429 bodies carry `{"reason": {".tag": …}, "retry_after": n}` and a `Retry-After` header
 * (dropbox/dropbox-sdk-go-unofficial#33). 400s are plain text, 401s name the token problem.
 */

export type Tagged = { '.tag': string; [field: string]: unknown };

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(typeof body === 'string' ? body : JSON.stringify(body));
  }
}

export const tag = (name: string, fields: Record<string, unknown> = {}): Tagged => ({ '.tag': name, ...fields });
/** A union variant whose value is itself a union: `{".tag": name, name: inner}`. */
export const nest = (name: string, inner: Tagged): Tagged => ({ '.tag': name, [name]: inner });

// The same reading of tags as the adapter's: one definition of Dropbox's error shape.
import { tagChain } from '../errors.js';

export { tagChain };

export const summaryOf = (error: unknown) => `${tagChain(error).join('/')}/..`;

export const routeError = (error: Tagged, status = 409) => new ApiError(status, { error_summary: summaryOf(error), error });

export const authError = (name: 'invalid_access_token' | 'expired_access_token' | 'missing_scope' | 'user_suspended') => new ApiError(401, { error_summary: `${name}/..`, error: tag(name) });

export function rateLimited(reason: 'too_many_requests' | 'too_many_write_operations', retryAfterSeconds: number | undefined): ApiError {
  const error: Record<string, unknown> = { reason: tag(reason) };
  if (retryAfterSeconds !== undefined) error.retry_after = retryAfterSeconds;
  const headers: Record<string, string> = {};
  if (retryAfterSeconds !== undefined) headers['Retry-After'] = String(retryAfterSeconds);
  return new ApiError(429, { error_summary: `${reason}/..`, error }, headers);
}

export const writeConflict = (kind: 'file' | 'folder' | 'file_ancestor') => nest('conflict', tag(kind));
