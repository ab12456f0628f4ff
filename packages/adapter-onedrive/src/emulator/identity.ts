/**
 * The Microsoft identity platform endpoints msal-node uses for public clients, enough for both
 * flows end to end:
 * - device code: POST /{tenant}/oauth2/v2.0/devicecode, then polling /token with
 *   `authorization_pending` until the user approves, `authorization_declined` if they refuse,
 *   `expired_token` when too late (https://learn.microsoft.com/entra/identity-platform/v2-oauth2-device-code);
 * - authorization code + PKCE: GET /authorize redirects to the loopback redirect_uri with
 *   `code` and `state` (or `error=access_denied` when consent is refused), and /token checks
 *   `code_verifier` against the S256 `code_challenge` (RFC 7636);
 * - refresh tokens: `invalid_grant` once revoked (AADSTS50173 style).
 * Tokens are opaque random strings; id tokens are unsigned-looking JWTs that msal only decodes.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { OAuthGrants } from '@syncacross/sync-core/emulator-kit';
import { cloudDiscoveryMetadata, openIdConfiguration } from '../auth/authority-metadata.js';

export interface IdentityOptions {
  /** Access token lifetime in seconds (msal refreshes 5 minutes before expiry). */
  accessTokenLifetimeSec?: number;
  /** Seconds between device-code polls that the emulator asks for. */
  deviceCodeIntervalSec?: number;
  /** How long a device code stays valid (`expires_in`). Default 900 s, Microsoft's 15 minutes. */
  deviceCodeLifetimeSec?: number;
}

interface DeviceCode {
  userCode: string;
  clientId: string;
  scope: string;
  status: 'pending' | 'approved' | 'declined';
  expires: number;
}

const b64url = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
const tokenError = (error: string, description: string, status = 400) =>
  new Response(JSON.stringify({ error, error_description: description, error_codes: [], timestamp: new Date().toISOString(), trace_id: randomUUID(), correlation_id: randomUUID() }), {
    status,
    headers: { 'content-type': 'application/json' },
  });

const escapeHtml = (v: string) => v.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * Delivers the authorization response to the redirect URI: as a query string (302), or, with
 * `response_mode=form_post` (which msal-node's loopback server requires), as an auto-submitting
 * HTML form the browser POSTs there.
 */
function reply(redirectUri: string, mode: string | null, params: Record<string, string>): Response {
  if (mode === 'form_post') {
    const inputs = Object.entries(params)
      .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`)
      .join('');
    const html = `<!doctype html><html><body onload="document.forms[0].submit()"><form method="post" action="${escapeHtml(redirectUri)}">${inputs}</form></body></html>`;
    return new Response(html, { status: 200, headers: { 'content-type': 'text/html; charset=utf-8' } });
  }
  const back = new URL(redirectUri);
  for (const [k, v] of Object.entries(params)) back.searchParams.set(k, v);
  return new Response(null, { status: 302, headers: { location: back.toString() } });
}

export class IdentityEmulator {
  /** What the "user" answers on the consent screen of the authorization-code flow. */
  consent: 'grant' | 'deny' = 'grant';
  readonly user = { oid: randomUUID(), tid: randomUUID(), name: 'Emulated User', username: 'user@emulator.test' };
  /** Codes (with the OpenID nonce to echo), tokens and revocation, shared with the other emulators. */
  private readonly grants: OAuthGrants<{ nonce?: string }>;
  private readonly devices = new Map<string, DeviceCode>();
  readonly stats = { tokenRequests: 0, refreshGrants: 0 };

  constructor(private readonly options: IdentityOptions = {}) {
    this.grants = new OAuthGrants({ accessTokenSeconds: options.accessTokenLifetimeSec ?? 3600, prefixes: { code: '', access: 'emu-at-', refresh: 'emu-rt-' } });
  }

  isValidAccessToken(token: string): boolean {
    return this.grants.checkAccessToken(token).status === 'valid';
  }

  /** Simulates access-token expiry server-side: every issued access token stops working. */
  expireAccessTokens(): void {
    this.grants.expireAccessTokens();
  }

  /** Simulates the user revoking the app (or an admin revoking sessions). */
  revokeRefreshTokens(): void {
    this.grants.revokeAll();
  }

  /** The user types the code at the verification URL and approves (or declines). */
  answerDeviceCode(userCode: string, answer: 'approve' | 'decline'): boolean {
    for (const d of this.devices.values()) {
      if (d.userCode === userCode.toUpperCase()) {
        d.status = answer === 'approve' ? 'approved' : 'declined';
        return true;
      }
    }
    return false;
  }

  /** Routes identity paths; undefined when the path is not an identity endpoint. */
  async handle(request: Request, url: URL, origin: string): Promise<Response | undefined> {
    const path = url.pathname;
    if (path === '/common/discovery/instance') {
      return Response.json(cloudDiscoveryMetadata(origin));
    }
    if (path === '/devicelogin') {
      const code = url.searchParams.get('user_code') ?? '';
      const ok = this.answerDeviceCode(code, url.searchParams.get('action') === 'decline' ? 'decline' : 'approve');
      return new Response(ok ? 'Device signed in (emulator). You can close this page.\n' : 'Unknown code\n', { status: ok ? 200 : 404 });
    }
    const m = /^\/([^/]+)\/(v2\.0\/\.well-known\/openid-configuration|oauth2\/v2\.0\/(authorize|token|devicecode))$/.exec(path);
    if (!m) return undefined;
    const tenant = m[1]!;
    if (m[2]!.startsWith('v2.0')) return Response.json(openIdConfiguration(origin, tenant));
    if (m[3] === 'authorize') return this.authorize(url);
    const form = new URLSearchParams(await request.text());
    if (m[3] === 'devicecode') return this.deviceCode(form, origin);
    return this.token(form, origin, tenant);
  }

  private authorize(url: URL): Response {
    const q = url.searchParams;
    const redirectUri = q.get('redirect_uri');
    if (!redirectUri) return tokenError('invalid_request', 'redirect_uri is required');
    const answer: Record<string, string> = {};
    if (q.get('state') !== null) answer.state = q.get('state')!;
    if (this.consent === 'deny') {
      answer.error = 'access_denied';
      answer.error_description = 'AADSTS65004: User declined to consent to access the app.';
      return reply(redirectUri, q.get('response_mode'), answer);
    }
    if (q.get('code_challenge_method') !== 'S256' || !q.get('code_challenge')) return tokenError('invalid_request', 'PKCE with S256 is required for public clients');
    const code = this.grants.issueCode({
      clientId: q.get('client_id') ?? '',
      redirectUri,
      challenge: q.get('code_challenge')!,
      method: 'S256',
      scope: q.get('scope') ?? '',
      offline: true,
      extra: { nonce: q.get('nonce') ?? undefined },
    });
    answer.code = code;
    answer.client_info = b64url({ uid: this.user.oid, utid: this.user.tid });
    return reply(redirectUri, q.get('response_mode'), answer);
  }

  private deviceCode(form: URLSearchParams, origin: string): Response {
    const userCode = randomBytes(4).toString('hex').toUpperCase();
    const deviceCode = randomBytes(24).toString('base64url');
    const expiresIn = this.options.deviceCodeLifetimeSec ?? 900;
    this.devices.set(deviceCode, { userCode, clientId: form.get('client_id') ?? '', scope: form.get('scope') ?? '', status: 'pending', expires: Date.now() + expiresIn * 1000 });
    const verificationUri = `${origin}/devicelogin`;
    return Response.json({
      device_code: deviceCode,
      user_code: userCode,
      verification_uri: verificationUri,
      expires_in: expiresIn,
      interval: this.options.deviceCodeIntervalSec ?? 1,
      message: `To sign in, use a web browser to open the page ${verificationUri} and enter the code ${userCode} to authenticate.`,
    });
  }

  private token(form: URLSearchParams, origin: string, tenant: string): Response {
    this.stats.tokenRequests++;
    const grant = form.get('grant_type');
    const clientId = form.get('client_id') ?? '';
    if (grant === 'authorization_code') {
      const redeemed = this.grants.redeemCode(form.get('code') ?? '', { clientId, redirectUri: form.get('redirect_uri') ?? undefined, verifier: form.get('code_verifier') ?? '' });
      if (redeemed.ok) return this.issue(clientId, redeemed.authorization.scope, origin, tenant, redeemed.authorization.extra.nonce);
      if (redeemed.reason === 'unknown-code') return tokenError('invalid_grant', 'AADSTS70000: The provided authorization code is invalid or expired.');
      if (redeemed.reason === 'redirect-mismatch') return tokenError('invalid_grant', 'AADSTS50148: redirect_uri does not match');
      return tokenError('invalid_grant', 'AADSTS501481: The Code_Verifier does not match the code_challenge supplied in the authorization request.');
    }
    if (grant === 'urn:ietf:params:oauth:grant-type:device_code' || grant === 'device_code') {
      const d = this.devices.get(form.get('device_code') ?? '');
      if (!d) return tokenError('bad_verification_code', 'AADSTS70019: Verification code unknown.');
      if (d.expires < Date.now()) return tokenError('expired_token', 'AADSTS70019: Verification code expired.');
      if (d.status === 'pending') return tokenError('authorization_pending', 'AADSTS70016: OAuth 2.0 device flow error. Authorization is pending.');
      if (d.status === 'declined') return tokenError('authorization_declined', 'AADSTS70000: The user declined the sign-in request.');
      this.devices.delete(form.get('device_code')!);
      return this.issue(clientId, d.scope, origin, tenant);
    }
    if (grant === 'refresh_token') {
      this.stats.refreshGrants++;
      const r = this.grants.refreshGrant(form.get('refresh_token') ?? '');
      if (!r) {
        return tokenError('invalid_grant', 'AADSTS50173: The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password.');
      }
      return this.issue(clientId, form.get('scope') ?? r.scope, origin, tenant);
    }
    return tokenError('unsupported_grant_type', `AADSTS70003: grant type ${String(grant)} is not supported`);
  }

  private issue(clientId: string, scope: string, origin: string, tenant: string, nonce?: string): Response {
    const lifetime = this.grants.accessTokenSeconds;
    // Microsoft rotates refresh tokens: every answer carries a new pair under a new grant.
    const grant = { clientId, scope, revoked: false };
    const access = this.grants.mintAccessToken(grant);
    const refresh = this.grants.issueRefreshToken(grant);
    const granted = scope.split(' ').filter((s) => s && !['openid', 'profile', 'offline_access'].includes(s));
    const now = Math.floor(Date.now() / 1000);
    const idToken = [
      b64url({ typ: 'JWT', alg: 'RS256', kid: 'emulator' }),
      b64url({
        aud: clientId,
        iss: `${origin}/${this.user.tid}/v2.0`,
        iat: now,
        nbf: now,
        exp: now + 3600,
        name: this.user.name,
        oid: this.user.oid,
        preferred_username: this.user.username,
        sub: this.user.oid,
        tid: this.user.tid,
        ver: '2.0',
        ...(nonce ? { nonce } : {}),
      }),
      b64url('emulator-signature'),
    ].join('.');
    void tenant;
    return Response.json({
      token_type: 'Bearer',
      scope: granted.join(' '),
      expires_in: lifetime,
      ext_expires_in: lifetime,
      access_token: access,
      refresh_token: refresh,
      id_token: idToken,
      client_info: b64url({ uid: this.user.oid, utid: this.user.tid }),
    });
  }
}
