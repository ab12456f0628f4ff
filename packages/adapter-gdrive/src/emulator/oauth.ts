/**
 * Google's OAuth 2.0 endpoints for installed apps, as the emulator plays them:
 * - `GET /o/oauth2/v2/auth`: the consent screen, auto-approved: redirects (302) to the loopback
 *   `redirect_uri` with `code` and `state` (RFC 8252 §7.3: any port on 127.0.0.1/[::1]/localhost).
 * - `POST /token`: `authorization_code` with PKCE (RFC 7636, S256 or plain) and `refresh_token`
 *   grants. Errors use Google's shapes: 400 `{"error":"invalid_grant","error_description":...}`
 *   ("Token has been expired or revoked." for a revoked refresh token), 401 `invalid_client`.
 * - `POST /revoke?token=…`: revokes a refresh token (and the access tokens it minted) or an access
 *   token, so the next API call answers 401 and the next refresh answers `invalid_grant`.
 */
import { createHash, randomBytes } from 'node:crypto';
import { json } from './responses.js';

export interface OAuthClientRegistration {
  clientId: string;
  clientSecret: string;
}

export interface OAuthEmulatorOptions {
  /** Lifetime of issued access tokens. Default 3600 s, like Google's. */
  accessTokenTtlSeconds?: number;
  /** When set, only these clients may authorize; otherwise any client id/secret is accepted. */
  clients?: OAuthClientRegistration[];
  /** What the fake consent screen answers. Default 'approve'. */
  consent?: 'approve' | 'deny';
  now?: () => number;
}

interface Grant {
  clientId: string;
  scope: string;
  revoked: boolean;
}

const token = (prefix: string) => `${prefix}${randomBytes(24).toString('base64url')}`;
const base64url = (b: Buffer) => b.toString('base64url');

export class OAuthEmulator {
  readonly stats = { authorizations: 0, authorizationCodeGrants: 0, refreshGrants: 0, revocations: 0 };
  private readonly codes = new Map<string, { clientId: string; redirectUri: string; challenge?: string; method?: string; scope: string; offline: boolean; expiresAt: number }>();
  private readonly refreshTokens = new Map<string, Grant>();
  private readonly accessTokens = new Map<string, { grant: Grant; expiresAt: number }>();
  private readonly now: () => number;
  private readonly ttl: number;

  constructor(private readonly options: OAuthEmulatorOptions = {}) {
    this.now = options.now ?? Date.now;
    this.ttl = options.accessTokenTtlSeconds ?? 3600;
  }

  /** A refresh token as if the user had consented (for tests and users who skip the browser). */
  issueRefreshToken(clientId = 'emulator-client', scope = 'https://www.googleapis.com/auth/drive'): string {
    const rt = token('1//emu-');
    this.refreshTokens.set(rt, { clientId, scope, revoked: false });
    return rt;
  }

  /** Revokes every token: the user removed the app's access in their Google account. */
  revokeAll(): void {
    for (const g of this.refreshTokens.values()) g.revoked = true;
    this.accessTokens.clear();
  }

  revoke(value: string): boolean {
    const grant = this.refreshTokens.get(value);
    if (grant) {
      grant.revoked = true;
      for (const [at, a] of this.accessTokens) if (a.grant === grant) this.accessTokens.delete(at);
      return true;
    }
    return this.accessTokens.delete(value);
  }

  /** True when the `Authorization: Bearer` header carries a live access token. */
  isAuthorized(header: string | null): boolean {
    const m = /^Bearer\s+(\S+)$/i.exec(header ?? '');
    const entry = m ? this.accessTokens.get(m[1]!) : undefined;
    return entry !== undefined && !entry.grant.revoked && entry.expiresAt > this.now();
  }

  authorize(url: URL): Response {
    this.stats.authorizations++;
    const p = url.searchParams;
    const redirectUri = p.get('redirect_uri') ?? '';
    let redirect: URL;
    try {
      redirect = new URL(redirectUri);
    } catch {
      return new Response('Error 400: invalid_request (redirect_uri is missing or malformed)', { status: 400 });
    }
    // Desktop clients may only redirect to a loopback address, on any port (RFC 8252 §7.3).
    if (redirect.protocol !== 'http:' || !['127.0.0.1', '[::1]', 'localhost'].includes(redirect.hostname)) {
      return new Response('Error 400: redirect_uri_mismatch', { status: 400 });
    }
    const clientId = p.get('client_id') ?? '';
    const back = (params: Record<string, string>) => {
      for (const [k, v] of Object.entries(params)) redirect.searchParams.set(k, v);
      const state = p.get('state');
      if (state !== null) redirect.searchParams.set('state', state);
      return new Response(null, { status: 302, headers: { location: redirect.toString() } });
    };
    if (this.options.clients && !this.options.clients.some((c) => c.clientId === clientId)) {
      return new Response('Error 401: invalid_client (The OAuth client was not found.)', { status: 401 });
    }
    if (p.get('response_type') !== 'code') return back({ error: 'unsupported_response_type' });
    const method = p.get('code_challenge_method') ?? undefined;
    const challenge = p.get('code_challenge') ?? undefined;
    if (challenge && method && method !== 'S256' && method !== 'plain') return back({ error: 'invalid_request' });
    if (this.options.consent === 'deny') return back({ error: 'access_denied' });
    const code = token('4/emu-');
    this.codes.set(code, {
      clientId,
      redirectUri,
      challenge,
      method: method ?? (challenge ? 'plain' : undefined),
      scope: p.get('scope') ?? '',
      offline: p.get('access_type') === 'offline',
      expiresAt: this.now() + 10 * 60_000,
    });
    return back({ code, scope: p.get('scope') ?? '' });
  }

  async token(request: Request): Promise<Response> {
    const form = new URLSearchParams(await request.text());
    let clientId = form.get('client_id') ?? '';
    let clientSecret = form.get('client_secret') ?? '';
    const basic = /^Basic\s+(\S+)$/i.exec(request.headers.get('authorization') ?? '');
    if (basic) [clientId = '', clientSecret = ''] = Buffer.from(basic[1]!, 'base64').toString().split(':');
    if (this.options.clients && !this.options.clients.some((c) => c.clientId === clientId && c.clientSecret === clientSecret)) {
      return json({ error: 'invalid_client', error_description: 'Unauthorized' }, 401);
    }
    const invalidGrant = (description: string) => json({ error: 'invalid_grant', error_description: description }, 400);
    switch (form.get('grant_type')) {
      case 'authorization_code': {
        this.stats.authorizationCodeGrants++;
        const code = this.codes.get(form.get('code') ?? '');
        this.codes.delete(form.get('code') ?? ''); // codes are single-use
        if (!code || code.expiresAt < this.now() || code.clientId !== clientId) return invalidGrant('Malformed auth code.');
        if (form.get('redirect_uri') !== code.redirectUri) return json({ error: 'redirect_uri_mismatch', error_description: 'Bad Request' }, 400);
        if (code.challenge) {
          const verifier = form.get('code_verifier');
          if (!verifier) return invalidGrant('Missing code verifier.');
          const derived = code.method === 'S256' ? base64url(createHash('sha256').update(verifier).digest()) : verifier;
          if (derived !== code.challenge) return invalidGrant('Invalid code verifier.');
        }
        const grant: Grant = { clientId, scope: code.scope, revoked: false };
        const body: Record<string, unknown> = { ...this.mintAccessToken(grant), scope: code.scope, token_type: 'Bearer' };
        if (code.offline) {
          const rt = token('1//emu-');
          this.refreshTokens.set(rt, grant);
          body.refresh_token = rt;
        }
        return json(body);
      }
      case 'refresh_token': {
        this.stats.refreshGrants++;
        const grant = this.refreshTokens.get(form.get('refresh_token') ?? '');
        if (!grant || grant.revoked || grant.clientId !== clientId) return invalidGrant('Token has been expired or revoked.');
        return json({ ...this.mintAccessToken(grant), scope: grant.scope, token_type: 'Bearer' });
      }
      default:
        return json({ error: 'unsupported_grant_type', error_description: `Invalid grant_type: ${form.get('grant_type') ?? ''}` }, 400);
    }
  }

  async revokeEndpoint(request: Request, url: URL): Promise<Response> {
    this.stats.revocations++;
    const value = url.searchParams.get('token') ?? new URLSearchParams(await request.text()).get('token') ?? '';
    return this.revoke(value) ? json({}) : json({ error: 'invalid_token', error_description: 'Token expired or revoked' }, 400);
  }

  private mintAccessToken(grant: Grant): { access_token: string; expires_in: number } {
    const at = token('ya29.emu-');
    this.accessTokens.set(at, { grant, expiresAt: this.now() + this.ttl * 1000 });
    return { access_token: at, expires_in: this.ttl };
  }
}
