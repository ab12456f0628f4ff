/**
 * One table from an HTTP status (and its Retry-After) to the storage contract's error codes, so
 * every HTTP adapter answers the same status the same way. An adapter handles what its API says
 * in its body first (Drive's `reason`, Graph's `code`, Dropbox's `.tag`s, S3's `<Code>`) and passes
 * the cases its API documents differently as `overrides`.
 *
 * | status                       | code                 | retried? | why |
 * |------------------------------|----------------------|----------|-----|
 * | 401, 403                     | AuthFailed           | no       | credentials or rights; adapters add their re-auth hint |
 * | 404                          | NotFound             | no       | a definite answer (adapters whose API never says 404 for a missing key override it) |
 * | 408                          | Unavailable          | yes      | the server gave up waiting; the outcome is unknown |
 * | 412                          | PreconditionFailed   | no       | |
 * | 413                          | TooLarge             | no       | |
 * | 429                          | RateLimited          | yes      | with `retryAfterMs` when the server said how long |
 * | 503 with Retry-After         | RateLimited          | yes      | the server named a wait: honour it (see below) |
 * | 503 without Retry-After      | Unavailable          | yes      | overloaded or down; back off |
 * | 501                          | NotSupported         | no       | the server does not implement the method |
 * | 507                          | NoSpace              | no       | RFC 4918 §11.5 |
 * | other 5xx                    | Unavailable          | yes      | transient by every provider's docs |
 * | other 4xx (400, 409, 422, …) | Unavailable, permanent | no     | unknown, so never "absent" or "refused for good"; asking again will not change it |
 * | anything else (3xx, …)       | Unavailable          | yes      | unknown outcome |
 *
 * Why 503 + Retry-After is RateLimited: RFC 9110 §15.6.4 lets a 503 carry Retry-After for an
 * overload; Microsoft Graph throttles with "429 and sometimes 503, with a Retry-After"
 * (https://learn.microsoft.com/graph/throttling, https://learn.microsoft.com/graph/errors), S3
 * answers 503 `SlowDown` "reduce your request rate"
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html). Drive
 * (https://developers.google.com/drive/api/guides/handle-errors) and Dropbox
 * (https://www.dropbox.com/developers/documentation/http/documentation#error-handling) call 5xx
 * transient and 429 throttling; none documents a 503 with Retry-After as anything but "wait this
 * long". A bare 503 stays Unavailable: RateLimited makes the retry wrapper pause every request.
 *
 * Why an unknown 4xx is Unavailable (permanent) and not InvalidConfig: we cannot tell a bad option
 * from an adapter bug or a proxy's answer, and "could not ask" must never read as a definite
 * answer. APIs that document 400 as "a parameter you sent is invalid" (Graph, Drive, Dropbox:
 * parameters that come from the user's options) override 400 to InvalidConfig.
 */
import { isPermanentHttpStatus, parseRetryAfter, StorageError, type StorageErrorCode } from '../storage/errors.js';

/** How one status maps: the code, and text appended to the message (include its separator). */
export interface StatusMapping {
  /** The StorageError code the status becomes. */
  code: StorageErrorCode;
  /** Text appended to the error's message, e.g. a hint to run `syncacross auth` (include its leading separator). */
  suffix?: string;
  /** For Unavailable: do not retry (defaults to "a 4xx other than 408/425/429"). */
  permanent?: boolean;
}

/** An adapter's own mappings, by HTTP status, for the statuses its API documents otherwise than the shared table. */
export type StatusOverrides = Readonly<Record<number, StatusMapping>>;

/** What `errorFromHttpStatus` takes besides the status and the message. */
export interface HttpErrorOptions {
  /** The raw Retry-After header value, if any. */
  retryAfter?: string | null;
  /** A delay the API gave some other way (e.g. in its body), used when there is no header. */
  retryAfterMs?: number;
  /** This adapter's mappings, consulted before the shared table. */
  overrides?: StatusOverrides;
  /** The underlying error (or response), kept as the StorageError's `cause`. */
  cause?: unknown;
  /** The time, ms since the epoch, to measure a Retry-After given as an HTTP date against (default now). */
  now?: number;
}

/** The shared table (see the module comment); `hasRetryAfter` decides 503. */
export function statusMapping(status: number, hasRetryAfter: boolean): StatusMapping {
  switch (status) {
    case 401:
    case 403:
      return { code: 'AuthFailed' };
    case 404:
      return { code: 'NotFound' };
    case 412:
      return { code: 'PreconditionFailed' };
    case 413:
      return { code: 'TooLarge' };
    case 429:
      return { code: 'RateLimited' };
    case 501:
      return { code: 'NotSupported' };
    case 503:
      return { code: hasRetryAfter ? 'RateLimited' : 'Unavailable' };
    case 507:
      return { code: 'NoSpace' };
    default:
      return { code: 'Unavailable' };
  }
}

/** A StorageError for an HTTP answer; `message` names the operation and what the server said. */
export function errorFromHttpStatus(status: number, message: string, options: HttpErrorOptions = {}): StorageError {
  const retryAfterMs = parseRetryAfter(options.retryAfter, options.now) ?? options.retryAfterMs;
  const mapping = options.overrides?.[status] ?? statusMapping(status, retryAfterMs !== undefined);
  const text = message + (mapping.suffix ?? '');
  const cause = options.cause === undefined ? {} : { cause: options.cause };
  if (mapping.code === 'RateLimited') return new StorageError('RateLimited', text, retryAfterMs === undefined ? cause : { ...cause, retryAfterMs });
  if (mapping.code === 'Unavailable') return new StorageError('Unavailable', text, { ...cause, permanent: mapping.permanent ?? isPermanentHttpStatus(status) });
  return new StorageError(mapping.code, text, cause);
}
