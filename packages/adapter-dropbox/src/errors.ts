/**
 * Dropbox answers → StorageError. Route errors (409) are tagged unions: we branch on the chain of
 * `.tag`s (`path` → `conflict` → `file`), never on `error_summary`, whose trailing dots vary
 * (`path/conflict/file/..` vs `/.`: kunalvarma05/dropbox-php-sdk#55, looker-open-source/actions#3).
 * Throttling is 429 `too_many_requests` / `too_many_write_operations` with `Retry-After`
 * (dropbox/dropbox-sdk-go-unofficial#33), and write-lock contention also arrives nested inside a
 * write error (`path/too_many_write_operations`) or a finish_batch entry (dropbox-sdk-js#270).
 * 401 bodies name the token problem (`expired_access_token`, `invalid_access_token`); a refresh
 * with a revoked refresh token is 400 `invalid_grant` (dropbox-sdk-dotnet#384).
 */
import { parseRetryAfter, StorageError } from '@syncacross/sync-core';
import { errorFromHttpStatus, type StatusOverrides } from '@syncacross/sync-core/adapter-kit';

const REAUTH_HINT = 'run `syncacross auth dropbox` to authorize again';

/** The `.tag`s of a Dropbox error from the outside in, following nested unions and `reason` fields. */
export function tagChain(error: unknown): string[] {
  const tags: string[] = [];
  let node: unknown = error;
  while (node !== null && typeof node === 'object') {
    const o = node as Record<string, unknown>;
    const t = o['.tag'];
    if (typeof t !== 'string') {
      node = o.reason;
      continue;
    }
    tags.push(t);
    const inner = o[t];
    node = inner !== null && typeof inner === 'object' ? inner : inner === undefined ? o.reason : typeof inner === 'string' ? { '.tag': inner } : undefined;
  }
  return tags;
}

interface ResponseLike {
  status: number;
  headers?: { get(name: string): string | null };
  error?: unknown;
}

/** The HTTP answer carried by an SDK error (DropboxResponseError), if it is one. */
export function responseOf(e: unknown): ResponseLike | undefined {
  if (typeof e !== 'object' || e === null) return undefined;
  const r = e as ResponseLike & { name?: string };
  return typeof r.status === 'number' && (r.name === 'DropboxResponseError' || 'error' in r) ? r : undefined;
}

/** The route error's tag chain for a 409, [] otherwise. */
export function routeTags(e: unknown): string[] {
  const r = responseOf(e);
  if (!r || r.status !== 409) return [];
  return tagChain((r.error as { error?: unknown } | undefined)?.error);
}

function describe(r: ResponseLike): string {
  const body = r.error as { error_summary?: string; error_description?: string } | string | undefined;
  if (typeof body === 'string') return body.slice(0, 300);
  return body?.error_summary ?? body?.error_description ?? JSON.stringify(body ?? null).slice(0, 300);
}

function retryAfterMs(r: ResponseLike): number | undefined {
  const header = parseRetryAfter(r.headers?.get('retry-after'));
  if (header !== undefined) return header;
  const seconds = (r.error as { error?: { retry_after?: unknown } } | undefined)?.error?.retry_after;
  return typeof seconds === 'number' ? seconds * 1000 : undefined;
}

/**
 * What Dropbox says differently from the shared table (errorFromHttpStatus in the adapter kit).
 * Its docs call 400 "bad input parameter" and 422 answers a path root the account does not have:
 * both come from the options. A missing path is a 409 `path/not_found`, so a bare 404 is an
 * endpoint we did not expect, never "absent".
 */
const DROPBOX_STATUSES: StatusOverrides = {
  400: { code: 'InvalidConfig' },
  403: { code: 'AuthFailed', suffix: ': the app may lack a permission (scope) it needs' },
  404: { code: 'Unavailable', permanent: true },
  422: { code: 'InvalidConfig', suffix: ': check the pathRoot option' },
};

/** Maps anything the SDK throws to a StorageError; `what` names the operation for messages. */
export function toStorageError(e: unknown, what: string): StorageError {
  if (e instanceof StorageError) return e;
  const r = responseOf(e);
  if (!r) {
    // No HTTP answer: connection refused, reset, DNS, TLS… the outcome is unknown.
    const code = (e as { code?: string })?.code;
    return new StorageError('Unavailable', `dropbox: ${what}: ${code ?? ''} ${(e as Error)?.message ?? String(e)}`.replace(/\s+/g, ' '), { cause: e });
  }
  const message = `dropbox: ${what}: HTTP ${r.status} ${describe(r)}`;
  const tags = routeTags(e);
  const body = r.error as { error?: unknown } | undefined;
  if (r.status === 429 || tags.includes('too_many_write_operations') || tags.includes('too_many_requests')) {
    return new StorageError('RateLimited', message, { cause: e, retryAfterMs: retryAfterMs(r) });
  }
  if (r.status === 401) {
    const t = tagChain(body?.error)[0];
    return new StorageError('AuthFailed', `${message}: the Dropbox authorization ${t === 'expired_access_token' ? 'expired' : 'is no longer valid'}; ${REAUTH_HINT}`, { cause: e });
  }
  if (r.status === 400 && (body as { error?: unknown })?.error === 'invalid_grant') {
    return new StorageError('AuthFailed', `${message}: the Dropbox authorization was revoked or has expired; ${REAUTH_HINT}`, { cause: e });
  }
  // An upload session that vanished (expired, or committed by an attempt whose answer was lost):
  // whether the object was written is unknown.
  if (tags[0] === 'lookup_failed') return new StorageError('Unavailable', message, { cause: e });
  if (tags.includes('not_found')) return new StorageError('NotFound', message, { cause: e });
  if (tags.includes('insufficient_space')) return new StorageError('NoSpace', message, { cause: e });
  if (tags.includes('payload_too_large') || tags.includes('too_large')) return new StorageError('TooLarge', message, { cause: e });
  if (tags.includes('malformed_path') || tags.includes('disallowed_name')) return new StorageError('InvalidKey', message, { cause: e });
  if (tags.includes('no_write_permission') || tags.includes('team_folder')) return new StorageError('AuthFailed', message, { cause: e });
  return errorFromHttpStatus(r.status, message, { retryAfterMs: retryAfterMs(r), overrides: DROPBOX_STATUSES, cause: e });
}
