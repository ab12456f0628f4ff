/**
 * OAuth 2.0 for installed apps (https://developers.google.com/identity/protocols/oauth2/native-app):
 * a one-shot HTTP listener on 127.0.0.1 and a random port receives the redirect (RFC 8252 §7.3),
 * PKCE with S256 (RFC 7636) binds the code to this process, and `state` ties the answer to this
 * request. `access_type=offline` + `prompt=consent` make Google return a refresh token.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StorageError } from '@syncacross/sync-core';
import type { OAuth2Client } from '../client.js';

/** google-auth-library's CodeChallengeMethod (a string enum; `S256` is its value), which the Drive-only entry does not export. */
type ChallengeMethod = NonNullable<NonNullable<Parameters<OAuth2Client['generateAuthUrl']>[0]>['code_challenge_method']>;

export interface InstalledAppFlowOptions {
  /** Builds the OAuth client for a redirect URI (the port is only known once listening). */
  client: (redirectUri: string) => OAuth2Client;
  scope: string;
  openUrl: (url: string) => void | Promise<void>;
  log?: (message: string) => void;
  signal?: AbortSignal;
  /** How long to wait for the browser. Default 5 minutes. */
  timeoutMs?: number;
}

export interface InstalledAppTokens {
  refreshToken: string;
  accessToken?: string;
  scope?: string;
}

const PAGE = (text: string) => `<!doctype html><meta charset="utf-8"><title>syncacross</title><p>${text}</p>`;

/** Runs the browser sign-in (see above) and answers Google's tokens; fails after `timeoutMs` or when `signal` fires. */
export async function runInstalledAppFlow(o: InstalledAppFlowOptions): Promise<InstalledAppTokens> {
  const state = randomBytes(16).toString('base64url');
  let server: Server | undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    const received = new Promise<URL>((resolve, reject) => {
      server = createServer((req, res) => {
        const url = new URL(req.url ?? '/', 'http://127.0.0.1');
        if (url.searchParams.get('state') !== state) {
          res.writeHead(400, { 'content-type': 'text/html' }).end(PAGE('This answer does not belong to the pending authorization.'));
          return;
        }
        const ok = url.searchParams.has('code');
        res.writeHead(ok ? 200 : 400, { 'content-type': 'text/html' }).end(PAGE(ok ? 'syncacross is authorized. You can close this window.' : 'Authorization was refused.'));
        resolve(url);
      });
      server.on('error', reject);
      timer = setTimeout(() => reject(new StorageError('AuthFailed', 'gdrive: timed out waiting for the browser to authorize')), o.timeoutMs ?? 5 * 60_000);
      o.signal?.addEventListener('abort', () => reject(new StorageError('AuthFailed', 'gdrive: authorization aborted')), { once: true });
    });
    await new Promise<void>((resolve, reject) => {
      server!.once('error', reject);
      server!.listen(0, '127.0.0.1', resolve);
    });
    const redirectUri = `http://127.0.0.1:${(server!.address() as AddressInfo).port}/`;
    const client = o.client(redirectUri);
    const { codeVerifier, codeChallenge } = await client.generateCodeVerifierAsync();
    const url = client.generateAuthUrl({
      access_type: 'offline',
      prompt: 'consent',
      scope: o.scope,
      state,
      code_challenge: codeChallenge,
      code_challenge_method: 'S256' as ChallengeMethod,
      redirect_uri: redirectUri,
    });
    o.log?.('Opening your browser to authorize syncacross with Google Drive. If it does not open, visit:');
    await o.openUrl(url);
    const answer = await received;
    const error = answer.searchParams.get('error');
    if (error) throw new StorageError('AuthFailed', `gdrive: Google answered ${error}: authorization was not granted`);
    let tokens;
    try {
      ({ tokens } = await client.getToken({ code: answer.searchParams.get('code')!, codeVerifier, redirect_uri: redirectUri }));
    } catch (e) {
      const data = (e as { response?: { data?: { error?: string; error_description?: string } } }).response?.data;
      throw new StorageError('AuthFailed', `gdrive: exchanging the authorization code failed: ${data?.error ?? (e as Error).message}${data?.error_description ? ` (${data.error_description})` : ''}`, {
        cause: e,
      });
    }
    if (!tokens.refresh_token) {
      throw new StorageError('AuthFailed', 'gdrive: Google returned no refresh token; remove syncacross at https://myaccount.google.com/permissions and authorize again');
    }
    return { refreshToken: tokens.refresh_token, accessToken: tokens.access_token ?? undefined, scope: tokens.scope ?? undefined };
  } finally {
    clearTimeout(timer);
    server?.closeAllConnections?.();
    await new Promise<void>((resolve) => (server?.listening ? server.close(() => resolve()) : resolve()));
  }
}
