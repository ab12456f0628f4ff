/**
 * `syncacross auth dropbox`: OAuth 2 authorization-code flow with PKCE and offline access, using
 * only the user's app key (no app secret can be kept secret in a CLI). The code comes back either
 * through a loopback redirect (http://127.0.0.1:<port>/; Dropbox matches registered redirect URIs
 * exactly, so the port must be the registered one) or, with no redirect_uri, Dropbox shows it for
 * the user to paste ("If the redirect URI is omitted, the code will be presented directly to the
 * user"). The refresh token is stored 0600 under the credentials folder (token-store.ts).
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DropboxAuth } from 'dropbox';
import { registerSecret, StorageError, type AuthContext } from '@syncacross/sync-core';
import { authOptions } from './client.js';
import { toStorageError } from './errors.js';
import type { DropboxOptions } from './options.js';
import { checkRedirectPort, listenFailed, preflightRedirect } from './redirect.js';
import { writeAuthorization } from './token-store.js';

const WAIT_MS = 5 * 60_000;

/**
 * Dropbox has no device-code grant: `auth --device` (and, by default, a machine where no browser
 * can open) uses its "no redirect" flow instead, where Dropbox shows the code for the user to paste
 * here. `--no-browser` keeps the loopback redirect with the address only printed.
 */
function chooseFlow(options: DropboxOptions, ctx: AuthContext): 'loopback' | 'paste' {
  if (ctx.flow === 'device') return 'paste';
  if (ctx.flow === 'browser') return 'loopback';
  if (options.authFlow !== 'auto') return options.authFlow;
  if (!ctx.prompt) return 'loopback';
  if (ctx.browser !== undefined) return ctx.browser ? 'loopback' : 'paste';
  const headless = process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY;
  return process.env.SSH_CONNECTION || process.env.SSH_TTY || headless ? 'paste' : 'loopback';
}

/** The SDK builds the consent URL on www.dropbox.com (or meta-<domain>); baseUrl moves it. */
function consentUrl(sdkUrl: string, options: DropboxOptions): string {
  if (!options.baseUrl) return sdkUrl;
  const u = new URL(sdkUrl);
  return `${options.baseUrl.replace(/\/+$/, '')}${u.pathname}${u.search}`;
}

interface Loopback {
  redirectUri: string;
  code: Promise<string>;
  close(): void;
}

async function listenForCode(port: number, state: string): Promise<Loopback> {
  let resolve!: (code: string) => void;
  let reject!: (e: Error) => void;
  const code = new Promise<string>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // The browser may answer before we start waiting (openUrl can return after the redirect).
  code.catch(() => undefined);
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const page = (status: number, text: string) => {
      res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><title>syncacross</title><p>${text}</p>`);
    };
    if (!url.searchParams.has('code') && !url.searchParams.has('error')) return page(404, 'Not found');
    if (url.searchParams.get('state') !== state) return page(400, 'This answer does not belong to the authorization in progress.');
    const error = url.searchParams.get('error');
    if (error) {
      page(200, 'Authorization was not given. You can close this tab.');
      return reject(new StorageError('AuthFailed', `dropbox: authorization refused (${error}: ${url.searchParams.get('error_description') ?? ''})`));
    }
    page(200, 'syncacross is now authorized to use your Dropbox. You can close this tab.');
    resolve(url.searchParams.get('code')!);
  });
  await new Promise<void>((res, rej) => {
    server.once('error', (e) => rej(listenFailed(e, port)));
    server.listen(port, '127.0.0.1', () => res());
  });
  const actual = (server.address() as AddressInfo).port;
  return { redirectUri: `http://127.0.0.1:${actual}/`, code, close: () => server.close() };
}

function withDeadline<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new StorageError('AuthFailed', 'dropbox: gave up waiting for the authorization (5 minutes)')), WAIT_MS);
    const onAbort = () => reject(new StorageError('AuthFailed', 'dropbox: authorization cancelled'));
    signal?.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    });
  });
}

/**
 * Signs in to Dropbox (`syncacross auth dropbox`): a browser redirect to a loopback port, or a code
 * to paste (`authFlow`), with PKCE and no app secret. Stores the refresh token under
 * `ctx.credentialsDir` (mode 0600) and returns that file's path.
 */
export async function authorizeDropbox(options: DropboxOptions, ctx: AuthContext): Promise<string> {
  if (!options.appKey) {
    throw new StorageError('InvalidConfig', 'dropbox: the appKey option is required: create an app in the Dropbox App Console (see the adapter README) and pass its app key');
  }
  const auth = new DropboxAuth({ clientId: options.appKey, ...authOptions(options) } as ConstructorParameters<typeof DropboxAuth>[0]);
  const state = randomBytes(16).toString('base64url');
  const flow = chooseFlow(options, ctx);
  let redirectUri: string | undefined;
  let code: string;
  if (flow === 'loopback') {
    checkRedirectPort(options);
    const loopback = await listenForCode(options.redirectPort, state);
    try {
      redirectUri = loopback.redirectUri;
      const url = consentUrl(String(await auth.getAuthenticationUrl(redirectUri, state, 'code', 'offline', undefined, 'none', true)), options);
      await preflightRedirect(url, redirectUri);
      ctx.log(`Opening Dropbox in your browser to authorize syncacross (waiting for it on ${redirectUri})…`);
      await ctx.openUrl(url);
      code = await withDeadline(loopback.code, ctx.signal);
    } finally {
      loopback.close();
    }
  } else {
    if (!ctx.prompt)
      throw new StorageError(
        'InvalidConfig',
        'dropbox: Dropbox has no device-code sign-in; its paste-the-code flow needs an interactive terminal. Run on a terminal, or without --device (authFlow "loopback")',
      );
    const url = await auth.getAuthenticationUrl(undefined as unknown as string, state, 'code', 'offline', undefined, 'none', true);
    ctx.log('Open this address, allow access, then paste the code Dropbox shows:');
    await ctx.openUrl(consentUrl(String(url), options));
    code = (await ctx.prompt('Dropbox authorization code: ')).trim();
    if (code === '') throw new StorageError('AuthFailed', 'dropbox: no code was entered');
  }
  registerSecret(code);
  let token: { refresh_token?: string; access_token?: string; account_id?: string };
  try {
    token = (await auth.getAccessTokenFromCode(redirectUri as string, code)).result as typeof token;
  } catch (e) {
    throw toStorageError(e, 'exchanging the authorization code');
  }
  registerSecret(token.refresh_token);
  registerSecret(token.access_token);
  if (!token.refresh_token) throw new StorageError('AuthFailed', 'dropbox: Dropbox gave no refresh token (offline access was not granted)');
  const file = await writeAuthorization(ctx.credentialsDir, options.profile, {
    appKey: options.appKey,
    refreshToken: token.refresh_token,
    accountId: token.account_id,
    issuer: options.baseUrl ?? 'https://www.dropbox.com',
    createdAt: new Date().toISOString(),
  });
  ctx.log(`Authorized Dropbox account ${token.account_id ?? ''}; the refresh token is stored in ${file} (mode 0600).`);
  return file;
}
