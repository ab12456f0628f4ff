/**
 * Builds the SDK client. Every request goes through `boundedFetch` (bounded-download.ts): Node's own
 * fetch, each answer read within a bound, instead of the SDK's bundled node-fetch 2, on which a
 * connection cut mid-answer left the call waiting for good. The SDK always builds `https://` URLs:
 * `https://<sub>.dropboxapi.com/2/…`, or with the `domain` option `https://api-<domain>/2/`,
 * `https://api-content-<domain>/2/`, `https://bolt-<domain>/2/` and
 * `https://api-<domain>/oauth2/token` (src/utils.js baseApiUrl, OAuth2TokenUrl). A plain-HTTP local
 * server (`baseUrl`) therefore gets every request with its URL rewritten to that origin.
 */
import { Dropbox, DropboxAuth } from 'dropbox';
import { registerSecret, StorageError } from '@syncacross/sync-core';
import { boundedFetch, DROPBOX_FILE_LIMIT } from './bounded-download.js';
import { pathRootHeader, type DropboxOptions } from './options.js';

type FetchLike = (url: string, init?: unknown) => Promise<unknown>;

/** Where a request for `url` goes: to `baseUrl`, keeping path and query, when one is given. */
function destination(baseUrl: string | undefined): (url: string) => string {
  if (!baseUrl) return (url) => url;
  const base = baseUrl.replace(/\/+$/, '');
  return (url) => {
    const u = new URL(url);
    return `${base}${u.pathname}${u.search}`;
  };
}

export interface Credentials {
  accessToken?: string;
  refreshToken?: string;
  appKey?: string;
}

export interface DropboxClient {
  /** The client for ordinary calls. */
  readonly dbx: Dropbox;
  readonly auth: DropboxAuth;
  /** A client that adds headers (e.g. Range) to its requests, sharing the same tokens. */
  withHeaders(headers: Record<string, string>): Dropbox;
  /**
   * A client whose requests `signal` aborts (the SDK takes no signal per call, but a fetch per
   * client). Without Dropbox-API-Path-Root: for files/list_folder/longpoll, whose cursor alone
   * names the namespace.
   */
  abortable(signal: AbortSignal | undefined): Dropbox;
  /** True when an expired or rejected access token can be replaced by refreshing. */
  readonly canRefresh: boolean;
}

export function authOptions(options: Pick<DropboxOptions, 'baseUrl' | 'domain'>): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  o.fetch = boundedFetch(destination(options.baseUrl), DROPBOX_FILE_LIMIT);
  if (options.domain) o.domain = options.domain;
  return o;
}

export function createClient(options: DropboxOptions, credentials: Credentials): DropboxClient {
  if (!credentials.accessToken && !(credentials.refreshToken && credentials.appKey)) {
    throw new StorageError('AuthFailed', 'dropbox: no authorization: give accessToken, or refreshToken and appKey, or run `syncacross auth dropbox`');
  }
  const auth = new DropboxAuth({
    ...authOptions(options),
    accessToken: credentials.accessToken,
    refreshToken: credentials.refreshToken,
    clientId: credentials.appKey,
  } as ConstructorParameters<typeof DropboxAuth>[0]);
  // Access tokens obtained by refresh while running are secrets too (the SDK stores them here).
  const setAccessToken = auth.setAccessToken.bind(auth);
  auth.setAccessToken = (token: string) => {
    registerSecret(token);
    setAccessToken(token);
  };
  if (credentials.accessToken && credentials.refreshToken) {
    // Without an expiry the SDK refreshes before the first call; trust the given token until
    // Dropbox says it expired (we refresh then, see context.ts).
    auth.setAccessTokenExpiresAt(new Date(Date.now() + 3600_000));
  }
  const pathRoot = pathRootHeader(options.pathRoot);
  // The bounded fetch authOptions gave the auth (the SDK's clients take the auth's by default).
  const sdkFetch = (auth as unknown as { fetch: FetchLike }).fetch;
  const make = (headers?: Record<string, string>) =>
    new Dropbox({ auth, pathRoot, ...(headers ? { customHeaders: headers } : {}), ...(options.domain ? { domain: options.domain } : {}) } as ConstructorParameters<typeof Dropbox>[0]);
  const abortable = (signal: AbortSignal | undefined) =>
    new Dropbox({ auth, fetch: (url: string, init?: object) => sdkFetch(url, { ...init, signal }), ...(options.domain ? { domain: options.domain } : {}) } as ConstructorParameters<typeof Dropbox>[0]);
  return { dbx: make(), auth, withHeaders: make, abortable, canRefresh: Boolean(credentials.refreshToken && credentials.appKey) };
}
