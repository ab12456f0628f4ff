/**
 * The emulator's OAuth 2 server: `/oauth2/authorize` (code flow, PKCE S256, auto-approved),
 * `/oauth2/token` (authorization_code with code_verifier, refresh_token) and
 * `/2/auth/token/revoke`. Failures answer like Dropbox: 400 `{"error": "invalid_grant",
 * "error_description": "refresh token is invalid or revoked"}` for a revoked refresh token
 * (nextcloud/integration_dropbox#34, dropbox/dropbox-sdk-dotnet#384). The SDK sends the token
 * parameters in the query string, other clients in a form body: both are read.
 */
import { OAuthGrants, isLoopbackRedirect, type OAuthGrant } from '@syncacross/sync-core/emulator-kit';
import { ApiError } from './errors.js';

export interface AppRegistration {
  accessType: 'full' | 'app_folder';
  /** The app's name: its folder is /Apps/<name>. */
  name: string;
  /**
   * Exact redirect URIs; loopback URIs (http://127.0.0.1:<any port>/…, localhost) are accepted
   * too unless the emulator runs with `exactRedirectUris`.
   */
  redirectUris?: string[];
}

const oauthError = (error: string, description: string) => new ApiError(400, { error, error_description: description });
const SCOPE = 'files.content.read files.content.write files.metadata.read files.metadata.write';

export class OAuthServer {
  readonly apps = new Map<string, AppRegistration>();
  /** Codes, tokens and revocation, shared with the other vendors' emulators; Dropbox's wire format is here. */
  readonly grants = new OAuthGrants({ accessTokenSeconds: 14_400, prefixes: { code: 'code.', access: 'sl.', refresh: 'rt.' } });
  /** What the emulated user answers on the consent page. */
  decision: 'approve' | 'deny' = 'approve';
  readonly accountId = 'dbid:emulated-account';
  /**
   * Real-world mode: only a registered redirect URI, matched exactly, port included; no loopback
   * URI on any port. Dropbox: "It must exactly match one of the redirect URIs you've
   * pre-configured for your app" (its authorize error page; issue 24: redirectPort 0 cannot work).
   */
  exactRedirectUris = false;

  /** Seconds an access token lives (Dropbox: 4 hours). */
  get accessTokenSeconds(): number {
    return this.grants.accessTokenSeconds;
  }

  issueAccessToken(clientId: string, seconds = this.accessTokenSeconds): string {
    return this.grants.mintAccessToken({ clientId, scope: SCOPE, revoked: false }, seconds);
  }

  /** The user unlinks the app: every token it holds stops working. */
  revokeApp(clientId: string): void {
    this.grants.revokeAll(clientId);
  }

  expireAccessTokens(): void {
    this.grants.expireAccessTokens();
  }

  /** The grant behind a bearer token, or why Dropbox refuses it. */
  checkAccessToken(token: string): { status: 'valid'; grant: OAuthGrant } | { status: 'unknown' | 'revoked' | 'expired' } {
    return this.grants.checkAccessToken(token);
  }

  authorize(url: URL): Response {
    const p = url.searchParams;
    const clientId = p.get('client_id') ?? '';
    const app = this.apps.get(clientId);
    if (!app) return new Response(`Invalid client_id: "${clientId}"`, { status: 400 });
    if (p.get('response_type') !== 'code') return new Response('only response_type=code is emulated', { status: 400 });
    const redirectUri = p.get('redirect_uri') ?? undefined;
    const anyLoopback = !this.exactRedirectUris && redirectUri !== undefined && isLoopbackRedirect(redirectUri);
    if (redirectUri !== undefined && !anyLoopback && !app.redirectUris?.includes(redirectUri)) {
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
    const code = this.grants.issueCode({ clientId, redirectUri, challenge, method: 'S256', scope: SCOPE, offline: p.get('token_access_type') === 'offline', extra: undefined });
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
        const grant = this.grants.refreshGrant(params.get('refresh_token') ?? '', clientId);
        if (!grant) throw oauthError('invalid_grant', 'refresh token is invalid or revoked');
        return { access_token: this.grants.mintAccessToken(grant), token_type: 'bearer', expires_in: this.accessTokenSeconds };
      }
      default:
        throw oauthError('unsupported_grant_type', `grant_type ${params.get('grant_type')} is not supported`);
    }
  }

  private exchangeCode(params: URLSearchParams, clientId: string): unknown {
    const verifier = params.get('code_verifier') ?? undefined;
    const redeemed = this.grants.redeemCode(params.get('code') ?? '', { clientId, redirectUri: params.get('redirect_uri') ?? undefined, verifier });
    if (!redeemed.ok) {
      if (redeemed.reason === 'redirect-mismatch') throw oauthError('invalid_grant', 'redirect_uri mismatch');
      if (redeemed.reason === 'unknown-code') throw oauthError('invalid_grant', "code doesn't exist or has expired");
      throw oauthError('invalid_grant', 'invalid code verifier');
    }
    // Without PKCE, only a confidential client (one that sends its secret) may exchange a code.
    if (redeemed.authorization.challenge === undefined && !params.get('client_secret')) throw oauthError('invalid_request', 'No auth function available for given request');
    const refreshToken = redeemed.authorization.offline ? this.grants.issueRefreshToken(redeemed.grant) : undefined;
    return {
      access_token: this.grants.mintAccessToken(redeemed.grant),
      token_type: 'bearer',
      expires_in: this.accessTokenSeconds,
      ...(refreshToken ? { refresh_token: refreshToken } : {}),
      scope: SCOPE,
      uid: '12345',
      account_id: this.accountId,
    };
  }

  /** `auth/token/revoke`: disables the token, its refresh token and that refresh token's other access tokens. */
  revoke(accessToken: string): void {
    this.grants.revokeGrantOf(accessToken);
  }
}
