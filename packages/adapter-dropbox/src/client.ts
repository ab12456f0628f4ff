/**
 * Builds the SDK client. The `dropbox` SDK 10.34 on Node 20 uses its bundled node-fetch (which msw
 * intercepts); passing the global `fetch` breaks filesDownload (`res.buffer is not a function`).
 * It always builds `https://` URLs: `https://<sub>.dropboxapi.com/2/…`, or with the `domain`
 * option `https://api-<domain>/2/`, `https://api-content-<domain>/2/`, `https://bolt-<domain>/2/`
 * and `https://api-<domain>/oauth2/token` (src/utils.js baseApiUrl, OAuth2TokenUrl). A plain-HTTP
 * local server therefore needs the URL rewritten: for `baseUrl` we hand the SDK its own
 * node-fetch, wrapped to send every request to that origin instead.
 */
import { createRequire } from 'node:module';
import { Dropbox, DropboxAuth } from 'dropbox';
import { registerSecret, StorageError } from '@syncacross/sync-core';
import { boundedDownloads, DROPBOX_FILE_LIMIT } from './bounded-download.js';
import { pathRootHeader, type DropboxOptions } from './options.js';

type FetchLike = (url: string, init?: unknown) => Promise<unknown>;

function sdkNodeFetch(): FetchLike {
  const require = createRequire(import.meta.url);
  const fromSdk = createRequire(require.resolve('dropbox'));
  const mod = fromSdk('node-fetch') as FetchLike & { default?: FetchLike };
  return mod.default ?? mod;
}

/** Where a request for `url` goes: to `baseUrl`, keeping path and query, when one is given. */
function destination(baseUrl: string | undefined): (url: string) => string {
  if (!baseUrl) return (url) => url;
  const base = baseUrl.replace(/\/+$/, '');
  return (url) => {
    const u = new URL(url);
    return `${base}${u.pathname}${u.search}`;
  };
}

/** A fetch that sends every SDK request to `baseUrl`, keeping path and query. */
function rewritingFetch(baseUrl: string): FetchLike {
  const to = destination(baseUrl);
  const inner = sdkNodeFetch();
  return (url, init) => inner(to(url), init);
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
  if (options.baseUrl) o.fetch = rewritingFetch(options.baseUrl);
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
  // The fetch the SDK would use: its node-fetch, or the rewriting one for `baseUrl`.
  const sdkFetch = (auth as unknown as { fetch: FetchLike }).fetch;
  // Downloads through Node's fetch, read no further than used (bounded-download.ts).
  const fetch = boundedDownloads(sdkFetch, destination(options.baseUrl), DROPBOX_FILE_LIMIT);
  const make = (headers?: Record<string, string>) =>
    new Dropbox({ auth, fetch, pathRoot, ...(headers ? { customHeaders: headers } : {}), ...(options.domain ? { domain: options.domain } : {}) } as ConstructorParameters<typeof Dropbox>[0]);
  const abortable = (signal: AbortSignal | undefined) =>
    new Dropbox({ auth, fetch: (url: string, init?: object) => sdkFetch(url, { ...init, signal }), ...(options.domain ? { domain: options.domain } : {}) } as ConstructorParameters<typeof Dropbox>[0]);
  return { dbx: make(), auth, withHeaders: make, abortable, canRefresh: Boolean(credentials.refreshToken && credentials.appKey) };
}
