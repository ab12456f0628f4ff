/**
 * HTTP answers → the contract's error codes. Call sites handle the statuses that mean something
 * specific to them first (404 on GET is NotFound, 412 on MOVE is "exists", 405 on MKCOL is
 * "already there"); everything else comes here.
 *
 * RFC 4918 §11 defines 423 Locked and 507 Insufficient Storage. Nextcloud/Sabre answer 423
 * (`FileLocked`) to a PUT or MOVE while another request holds the file's lock
 * (https://github.com/nextcloud/server/issues/9001, https://github.com/nextcloud/server/issues/1419)
 * and 507 when the quota is used up.
 */
import { isPermanentHttpStatus, parseRetryAfter, StorageError } from '@syncacross/sync-core';

export interface HttpAnswer {
  status: number;
  headers: { get(name: string): string | null };
}

export function errorFromStatus(answer: HttpAnswer, what: string): StorageError {
  const { status } = answer;
  const message = `${what}: HTTP ${status}`;
  const retryAfterMs = parseRetryAfter(answer.headers.get('retry-after'));
  switch (status) {
    case 401:
    case 403:
      return new StorageError('AuthFailed', `${message} (check the user name, password or token, and the account's rights on this folder)`);
    case 404:
      return new StorageError('NotFound', message);
    case 405:
    case 501:
      return new StorageError('NotSupported', `${message} (the server does not allow this WebDAV method here)`);
    case 412:
      return new StorageError('PreconditionFailed', message);
    case 413:
      return new StorageError('TooLarge', `${message} (the server refuses objects this large)`);
    case 423:
      // Another client holds a lock on the resource (Nextcloud while it writes the file). It is
      // per-resource and short-lived, so a per-request retry fits; RateLimited would make the
      // retry wrapper pause every request.
      return new StorageError('Unavailable', `${message} (locked by another client; retry later)`);
    case 429:
      return new StorageError('RateLimited', message, retryAfterMs === undefined ? undefined : { retryAfterMs });
    case 503:
      return retryAfterMs === undefined ? new StorageError('Unavailable', message) : new StorageError('RateLimited', message, { retryAfterMs });
    case 507:
      return new StorageError('NoSpace', `${message} (the server's storage or the account's quota is full)`);
    default:
      // 409 outside the places that expect it, other 4xx, 5xx, unexpected 3xx: the outcome is not
      // known to be "absent" or "refused for good", so it must never read as a definite answer.
      // A 4xx will not change by asking again: it is not retried.
      return new StorageError('Unavailable', message, { permanent: isPermanentHttpStatus(status) });
  }
}

/** A failure with no HTTP answer (refused connection, reset, timeout, TLS): outcome unknown. */
export function errorFromNetwork(error: unknown, what: string): StorageError {
  const detail = error instanceof Error ? `${(error as { code?: string }).code ?? error.name}: ${error.message}` : String(error);
  return new StorageError('Unavailable', `${what}: ${detail}`, { cause: error });
}
