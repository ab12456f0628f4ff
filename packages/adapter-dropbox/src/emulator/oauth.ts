/**
 * The emulator's OAuth 2 server: `/oauth2/authorize` (code flow, PKCE S256, auto-approved),
 * `/oauth2/token` (authorization_code with code_verifier, refresh_token) and
 * `/2/auth/token/revoke`. Failures answer like Dropbox: 400 `{"error": "invalid_grant",
 * "error_description": "refresh token is invalid or revoked"}` for a revoked refresh token
 * (nextcloud/integration_dropbox#34, dropbox/dropbox-sdk-dotnet#384). The SDK sends the token
 * parameters in the query string, other clients in a form body: both are read.
 */
import { createHash, randomBytes } from 'node:crypto';
import { ApiError } from './errors.js';

export interface AppRegistration {
  accessType: 'full' | 'app_folder';
  /** The app's name: its folder is /Apps/<name>. */
  name: string;
  /** Exact redirect URIs; loopback URIs (http://127.0.0.1:<any port>/…, localhost) are always accepted. */
  redirectUris?: string[];
}

export interface TokenInfo {
  clientId: string;
  expiresAt: number;
  refreshToken?: string;
  revoked: boolean;
}

interface PendingCode {
  clientId: string;
  redirectUri?: string;
  challenge?: string;
  offline: boolean;
  expiresAt: number;
}

const token = (prefix: string) => `${prefix}.${randomBytes(24).toString('base64url')}`;
const oauthError = (error: string, description: string) => new ApiError(400, { error, error_description: description });
const isLoopback = (uri: string) => /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?(\/|$)/.test(uri);

export class OAuthServer {
  readonly apps = new Map<string, AppRegistration>();
  readonly accessTokens = new Map<string, TokenInfo>();
  readonly refreshTokens = new Map<string, { clientId: string; revoked: boolean }>();
  private readonly codes = new Map<string, PendingCode>();
  /** Seconds an access token lives (Dropbox: 4 hours). */
  accessTokenSeconds = 14_400;
  /** What the emulated user answers on the consent page. */
  decision: 'approve' | 'deny' = 'approve';
  readonly accountId = 'dbid:emulated-account';

  issueAccessToken(clientId: string, seconds = this.accessTokenSeconds, refreshToken?: string): string {
    const t = token('sl');
    this.accessTokens.set(t, { clientId, expiresAt: Date.now() + seconds * 1000, refreshToken, revoked: false });
    return t;
  }

  issueRefreshToken(clientId: string): string {
    const t = token('rt');
    this.refreshTokens.set(t, { clientId, revoked: false });
    return t;
  }

  /** The user unlinks the app: every token it holds stops working. */
  revokeApp(clientId: string): void {
    for (const info of this.accessTokens.values()) if (info.clientId === clientId) info.revoked = true;
    for (const info of this.refreshTokens.values()) if (info.clientId === clientId) info.revoked = true;
  }

  expireAccessTokens(): void {
    for (const info of this.accessTokens.values()) info.expiresAt = Math.min(info.expiresAt, Date.now() - 1);
  }

  authorize(url: URL): Response {
    const p = url.searchParams;
    const clientId = p.get('client_id') ?? '';
    const app = this.apps.get(clientId);
    if (!app) return new Response(`Invalid client_id: "${clientId}"`, { status: 400 });
    if (p.get('response_type') !== 'code') return new Response('only response_type=code is emulated', { status: 400 });
    const redirectUri = p.get('redirect_uri') ?? undefined;
    if (redirectUri !== undefined && !isLoopback(redirectUri) && !app.redirectUris?.includes(redirectUri)) {
      return new Response(`Invalid redirect_uri: "${redirectUri}". It must exactly match one of the redirect URIs you've pre-configured for your app.`, { status: 400 });
    }
    const challenge = p.get('code_challenge') ?? undefined;
    if (challenge !== undefined && p.get('code_challenge_method') !== 'S256') return new Response('code_challenge_method must be S256', { status: 400 });
    const state = p.get('state');
    if (this.decision === 'deny') {
      if (!redirectUri) return new Response('<p>Access denied</p>', { status: 200, headers: { 'content-type': 'text/html' } });
      const back = new URL(redirectUri);
      back.searchParams.set('error', 'access_denied');
      back.searchParams.set('error_description', 'The user chose not to give your app access to their Dropbox account.');
      if (state !== null) back.searchParams.set('state', state);
      return new Response(null, { status: 302, headers: { location: back.toString() } });
    }
    const code = token('code');
    this.codes.set(code, { clientId, redirectUri, challenge, offline: p.get('token_access_type') === 'offline', expiresAt: Date.now() + 600_000 });
    if (!redirectUri) {
      // No redirect: Dropbox shows the code for the user to paste into the app.
      return new Response(`<html><body><p>Enter this code into your app:</p><code id="auth-code">${code}</code></body></html>`, {
        status: 200,
        headers: { 'content-type': 'text/html' },
      });
    }
    const back = new URL(redirectUri);
    back.searchParams.set('code', code);
    if (state !== null) back.searchParams.set('state', state);
    return new Response(null, { status: 302, headers: { location: back.toString() } });
  }

  async token(request: Request): Promise<unknown> {
    const params = new URLSearchParams(new URL(request.url).search);
    const body = await request.text();
    if (body && (request.headers.get('content-type') ?? '').includes('x-www-form-urlencoded')) {
      for (const [k, v] of new URLSearchParams(body)) params.set(k, v);
    }
    const clientId = params.get('client_id') ?? '';
    if (!this.apps.has(clientId)) throw oauthError('invalid_client', 'Invalid client_id or client_secret');
    switch (params.get('grant_type')) {
      case 'authorization_code':
        return this.exchangeCode(params, clientId);
      case 'refresh_token': {
        const rt = this.refreshTokens.get(params.get('refresh_token') ?? '');
        if (!rt || rt.revoked || rt.clientId !== clientId) throw oauthError('invalid_grant', 'refresh token is invalid or revoked');
        const access = this.issueAccessToken(clientId, this.accessTokenSeconds, params.get('refresh_token')!);
        return { access_token: access, token_type: 'bearer', expires_in: this.accessTokenSeconds };
      }
      default:
        throw oauthError('unsupported_grant_type', `grant_type ${params.get('grant_type')} is not supported`);
    }
  }

  private exchangeCode(params: URLSearchParams, clientId: string): unknown {
    const code = params.get('code') ?? '';
    const pending = this.codes.get(code);
    this.codes.delete(code); // a code is good for one exchange
    if (!pending || pending.expiresAt < Date.now() || pending.clientId !== clientId) throw oauthError('invalid_grant', "code doesn't exist or has expired");
    if ((params.get('redirect_uri') ?? undefined) !== pending.redirectUri) throw oauthError('invalid_grant', 'redirect_uri mismatch');
    if (pending.challenge !== undefined) {
      const verifier = params.get('code_verifier') ?? '';
      const computed = createHash('sha256').update(verifier).digest('base64url');
      if (computed !== pending.challenge) throw oauthError('invalid_grant', 'invalid code verifier');
    } else if (!params.get('client_secret')) {
      throw oauthError('invalid_request', 'No auth function available for given request');
    }
    const refreshToken = pending.offline ? this.issueRefreshToken(clientId) : undefined;
    const access = this.issueAccessToken(clientId, this.accessTokenSeconds, refreshToken);
    return {
      access_token: access,
      token_type: 'bearer',
      expires_in: this.accessTokenSeconds,
      ...(refreshToken ? { refresh_token: refreshToken } : {}),
      scope: 'files.content.read files.content.write files.metadata.read files.metadata.write',
      uid: '12345',
      account_id: this.accountId,
    };
  }

  /** `auth/token/revoke`: disables the token, its refresh token and that refresh token's other access tokens. */
  revoke(accessToken: string): void {
    const info = this.accessTokens.get(accessToken);
    if (!info) return;
    info.revoked = true;
    if (info.refreshToken) {
      const rt = this.refreshTokens.get(info.refreshToken);
      if (rt) rt.revoked = true;
      for (const other of this.accessTokens.values()) if (other.refreshToken === info.refreshToken) other.revoked = true;
    }
  }
}
