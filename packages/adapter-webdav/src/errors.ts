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
import { StorageError } from '@syncacross/sync-core';
import { errorFromHttpStatus, type StatusOverrides } from '@syncacross/sync-core/adapter-kit';

export interface HttpAnswer {
  status: number;
  headers: { get(name: string): string | null };
}

/**
 * What WebDAV says differently from the shared table (errorFromHttpStatus in the adapter kit):
 * 405 is a method this collection does not allow, 423 a short per-resource lock.
 */
const WEBDAV_STATUSES: StatusOverrides = {
  401: { code: 'AuthFailed', suffix: " (check the user name, password or token, and the account's rights on this folder)" },
  403: { code: 'AuthFailed', suffix: " (check the user name, password or token, and the account's rights on this folder)" },
  405: { code: 'NotSupported', suffix: ' (the server does not allow this WebDAV method here)' },
  501: { code: 'NotSupported', suffix: ' (the server does not allow this WebDAV method here)' },
  413: { code: 'TooLarge', suffix: ' (the server refuses objects this large)' },
  // Another client holds a lock on the resource (Nextcloud while it writes the file). It is
  // per-resource and short-lived, so a per-request retry fits; RateLimited would make the
  // retry wrapper pause every request.
  423: { code: 'Unavailable', suffix: ' (locked by another client; retry later)', permanent: false },
  507: { code: 'NoSpace', suffix: " (the server's storage or the account's quota is full)" },
};

export function errorFromStatus(answer: HttpAnswer, what: string): StorageError {
  return errorFromHttpStatus(answer.status, `${what}: HTTP ${answer.status}`, { retryAfter: answer.headers.get('retry-after'), overrides: WEBDAV_STATUSES });
}

/** A failure with no HTTP answer (refused connection, reset, timeout, TLS): outcome unknown. */
export function errorFromNetwork(error: unknown, what: string): StorageError {
  const detail = error instanceof Error ? `${(error as { code?: string }).code ?? error.name}: ${error.message}` : String(error);
  return new StorageError('Unavailable', `${what}: ${detail}`, { cause: error });
}
