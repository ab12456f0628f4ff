/**
 * Google's OAuth 2.0 endpoints for installed apps, as the emulator plays them:
 * - `GET /o/oauth2/v2/auth`: the consent screen, auto-approved: redirects (302) to the loopback
 *   `redirect_uri` with `code` and `state` (RFC 8252 §7.3: any port on 127.0.0.1/[::1]/localhost).
 * - `POST /token`: `authorization_code` with PKCE (RFC 7636, S256 or plain) and `refresh_token`
 *   grants. Errors use Google's shapes: 400 `{"error":"invalid_grant","error_description":...}`
 *   ("Token has been expired or revoked." for a revoked refresh token), 401 `invalid_client`.
 * - the device flow (device.ts): `POST /device/code`, then the device_code grant at `/token`.
 * - `POST /revoke?token=…`: revokes a refresh token (and the access tokens it minted) or an access
 *   token, so the next API call answers 401 and the next refresh answers `invalid_grant`.
 */
import { OAuthGrants } from '@syncacross/sync-core/emulator-kit';
import { DeviceAuthorizations, type DeviceFlowEmulatorOptions } from './device.js';
import { json } from './responses.js';

export interface OAuthClientRegistration {
  clientId: string;
  clientSecret: string;
}

export interface OAuthEmulatorOptions extends DeviceFlowEmulatorOptions {
  /** Lifetime of issued access tokens. Default 3600 s, like Google's. */
  accessTokenTtlSeconds?: number;
  /** When set, only these clients may authorize; otherwise any client id/secret is accepted. */
  clients?: OAuthClientRegistration[];
  /** What the fake consent screen answers. Default 'approve'. */
  consent?: 'approve' | 'deny';
  now?: () => number;
}

const DRIVE_SCOPE = 'https://www.googleapis.com/auth/drive';

/** Google's wire format for the codes, tokens and revocation kept by the shared `OAuthGrants`. */
export class OAuthEmulator {
  readonly stats = { authorizations: 0, authorizationCodeGrants: 0, refreshGrants: 0, revocations: 0, tokenRequests: 0 };
  /** Token requests still to answer 503, as Google's token endpoint does in an incident (`failTokenRequests`). */
  private failing = 0;
  private readonly grants: OAuthGrants;
  /** Pending device codes; `devices.answer(userCode, 'approve')` is the user allowing access. */
  readonly devices: DeviceAuthorizations;

  constructor(private readonly options: OAuthEmulatorOptions = {}) {
    this.devices = new DeviceAuthorizations(options);
    this.grants = new OAuthGrants({ accessTokenSeconds: options.accessTokenTtlSeconds ?? 3600, now: options.now, prefixes: { code: '4/emu-', access: 'ya29.emu-', refresh: '1//emu-' } });
  }

  /** A refresh token as if the user had consented (for tests and users who skip the browser). */
  issueRefreshToken(clientId = 'emulator-client', scope = DRIVE_SCOPE): string {
    return this.grants.issueRefreshToken({ clientId, scope, revoked: false });
  }

  /** Revokes every token: the user removed the app's access in their Google account. */
  revokeAll(): void {
    this.grants.revokeAll();
  }

  /** A refresh token takes its access tokens with it; an access token goes alone. */
  revoke(value: string): boolean {
    return this.grants.hasRefreshToken(value) ? this.grants.revokeGrantOf(value) : this.grants.revokeAccessToken(value);
  }

  /** True when the `Authorization: Bearer` header carries a live access token. */
  isAuthorized(header: string | null): boolean {
    return this.grants.isAuthorizedHeader(header);
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
    const scope = p.get('scope') ?? '';
    const code = this.grants.issueCode({
      clientId,
      redirectUri,
      challenge: challenge || undefined,
      method: method === 'S256' ? 'S256' : 'plain',
      scope,
      offline: p.get('access_type') === 'offline',
      extra: undefined,
    });
    return back({ code, scope });
  }

  /** The next `count` token requests answer 503 (an incident at Google's token endpoint). */
  failTokenRequests(count: number): void {
    this.failing = count;
  }

  async token(request: Request): Promise<Response> {
    this.stats.tokenRequests++;
    const form = new URLSearchParams(await request.text());
    if (this.failing > 0) {
      this.failing--;
      return json({ error: 'internal_failure', error_description: 'Backend Error' }, 503);
    }
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
        const redeemed = this.grants.redeemCode(form.get('code') ?? '', { clientId, redirectUri: form.get('redirect_uri') ?? undefined, verifier: form.get('code_verifier') ?? undefined });
        if (!redeemed.ok) {
          if (redeemed.reason === 'redirect-mismatch') return json({ error: 'redirect_uri_mismatch', error_description: 'Bad Request' }, 400);
          if (redeemed.reason === 'missing-verifier') return invalidGrant('Missing code verifier.');
          return invalidGrant(redeemed.reason === 'bad-verifier' ? 'Invalid code verifier.' : 'Malformed auth code.');
        }
        const { grant, authorization } = redeemed;
        const body: Record<string, unknown> = { ...this.accessTokenFor(grant), scope: grant.scope, token_type: 'Bearer' };
        if (authorization.offline) body.refresh_token = this.grants.issueRefreshToken(grant);
        return json(body);
      }
      case 'refresh_token': {
        this.stats.refreshGrants++;
        const grant = this.grants.refreshGrant(form.get('refresh_token') ?? '', clientId);
        if (!grant) return invalidGrant('Token has been expired or revoked.');
        return json({ ...this.accessTokenFor(grant), scope: grant.scope, token_type: 'Bearer' });
      }
      case 'urn:ietf:params:oauth:grant-type:device_code':
        return this.deviceGrant(form.get('device_code') ?? '', clientId);
      default:
        return json({ error: 'unsupported_grant_type', error_description: `Invalid grant_type: ${form.get('grant_type') ?? ''}` }, 400);
    }
  }

  async revokeEndpoint(request: Request, url: URL): Promise<Response> {
    this.stats.revocations++;
    const value = url.searchParams.get('token') ?? new URLSearchParams(await request.text()).get('token') ?? '';
    return this.revoke(value) ? json({}) : json({ error: 'invalid_token', error_description: 'Token expired or revoked' }, 400);
  }

  /** Google's answers to a device-code poll (status codes as its device-flow guide lists them). */
  private deviceGrant(deviceCode: string, clientId: string): Response {
    const poll = this.devices.poll(deviceCode, clientId);
    switch (poll.status) {
      case 'approved': {
        const grant = { clientId, scope: poll.scope, revoked: false };
        return json({ ...this.accessTokenFor(grant), refresh_token: this.grants.issueRefreshToken(grant), scope: grant.scope, token_type: 'Bearer' });
      }
      case 'pending':
        return json({ error: 'authorization_pending', error_description: 'Precondition Required' }, 428);
      case 'slow_down':
        return json({ error: 'slow_down', error_description: 'Forbidden' }, 403);
      case 'denied':
        return json({ error: 'access_denied', error_description: 'Forbidden' }, 403);
      case 'expired':
        return json({ error: 'expired_token', error_description: 'Bad Request' }, 400);
      default:
        return json({ error: 'invalid_grant', error_description: 'Malformed auth code.' }, 400);
    }
  }

  private accessTokenFor(grant: Parameters<OAuthGrants['mintAccessToken']>[0]): { access_token: string; expires_in: number } {
    return { access_token: this.grants.mintAccessToken(grant), expires_in: this.grants.accessTokenSeconds };
  }
}
