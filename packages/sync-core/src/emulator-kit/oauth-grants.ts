/**
 * The state every emulated OAuth 2 server keeps, whatever the vendor: single-use authorization
 * codes bound to a client, a redirect URI and a PKCE challenge (RFC 7636), refresh tokens, access
 * tokens with a lifetime, and revocation. The Dropbox, Google and Microsoft emulators each answer
 * in their vendor's wire format (paths, error bodies, extra fields) on top of this one store, so a
 * rule such as "a code is good for one exchange" or "revoking a refresh token kills the access
 * tokens it minted" is written once.
 */
import { createHash, randomBytes } from 'node:crypto';

/** What one consent produced: the refresh token and every access token minted from it share it. */
export interface OAuthGrant {
  /** The OAuth client the user consented to. */
  readonly clientId: string;
  /** The scope granted, as the client asked for it. */
  readonly scope: string;
  /** Set once revoked: the refresh token and every access token of the grant stop working. */
  revoked: boolean;
}

/** What a consent asked for, kept with its code until the exchange (`OAuthGrants.issueCode`). */
export interface PendingAuthorization<Extra> {
  /** The OAuth client that asked. */
  clientId: string;
  /** Absent when the vendor shows the code for the user to paste (Dropbox without a redirect). */
  redirectUri?: string;
  /** The PKCE challenge; absent for a confidential client that sends its secret instead. */
  challenge?: string;
  /** The PKCE challenge method (absent: `plain`, as RFC 7636 says). */
  method?: 'S256' | 'plain';
  /** The scope asked for. */
  scope: string;
  /** Whether the exchange also returns a refresh token (Google's access_type=offline, Dropbox's token_access_type=offline). */
  offline: boolean;
  /** Vendor-specific fields the exchange needs back (an OpenID nonce, say). */
  extra: Extra;
}

/** What exchanging a code gave (`OAuthGrants.redeemCode`): the authorization and a new grant, or why not. */
export type CodeRedemption<Extra> =
  | {
      /** The code was good. */
      ok: true;
      /** What the user consented to. */
      authorization: PendingAuthorization<Extra>;
      /** A new grant, for `issueRefreshToken` and `mintAccessToken`. */
      grant: OAuthGrant;
    }
  | {
      /** The code was refused. */
      ok: false;
      /** Why: unknown, used, expired or another client's (`unknown-code`), another redirect URI, or a PKCE verifier missing or wrong. */
      reason: 'unknown-code' | 'redirect-mismatch' | 'missing-verifier' | 'bad-verifier';
    };

/** How an `OAuthGrants` store issues tokens. */
export interface OAuthGrantsOptions {
  /** Default lifetime of access tokens, seconds. */
  accessTokenSeconds: number;
  /** How long a code may wait for its exchange, seconds. Default 600 (ten minutes, like Google and Dropbox). */
  codeSeconds?: number;
  /** Token prefixes, so a test or a log shows at once what kind of token it holds. */
  prefixes?: {
    /** Of authorization codes (default `code.`). */
    code?: string;
    /** Of access tokens (default `at.`). */
    access?: string;
    /** Of refresh tokens (default `rt.`). */
    refresh?: string;
  };
  /** The clock, ms since the epoch (default `Date.now`); tests pass a fake one to expire tokens. */
  now?: () => number;
}

/** True for the loopback redirect URIs native apps may use on any port (RFC 8252 §7.3). */
export function isLoopbackRedirect(uri: string): boolean {
  return /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?(\/|$)/.test(uri);
}

/** Whether `verifier` answers the challenge (RFC 7636 §4.6). */
export function pkceMatches(challenge: string, method: 'S256' | 'plain', verifier: string): boolean {
  const derived = method === 'S256' ? createHash('sha256').update(verifier).digest('base64url') : verifier;
  return derived === challenge;
}

/** One emulated OAuth server's codes, grants and tokens (see above); `Extra` is what a vendor keeps with a code. */
export class OAuthGrants<Extra = undefined> {
  private readonly codes = new Map<string, PendingAuthorization<Extra> & { expiresAt: number }>();
  private readonly refreshTokens = new Map<string, OAuthGrant>();
  private readonly accessTokens = new Map<string, { grant: OAuthGrant; expiresAt: number }>();
  private readonly now: () => number;

  constructor(private readonly options: OAuthGrantsOptions) {
    this.now = options.now ?? Date.now;
  }

  /** The default lifetime of access tokens, in seconds (`OAuthGrantsOptions.accessTokenSeconds`). */
  get accessTokenSeconds(): number {
    return this.options.accessTokenSeconds;
  }

  /** Remembers what the user consented to and returns the code the redirect carries. */
  issueCode(authorization: PendingAuthorization<Extra>): string {
    const code = this.token(this.options.prefixes?.code ?? 'code.');
    this.codes.set(code, { ...authorization, expiresAt: this.now() + (this.options.codeSeconds ?? 600) * 1000 });
    return code;
  }

  /** Exchanges a code once: a second exchange, another client or a late one is `unknown-code`. */
  redeemCode(code: string, request: { clientId: string; redirectUri?: string; verifier?: string }): CodeRedemption<Extra> {
    const pending = this.codes.get(code);
    this.codes.delete(code);
    if (!pending || pending.expiresAt < this.now() || pending.clientId !== request.clientId) return { ok: false, reason: 'unknown-code' };
    if (request.redirectUri !== pending.redirectUri) return { ok: false, reason: 'redirect-mismatch' };
    if (pending.challenge !== undefined) {
      if (!request.verifier) return { ok: false, reason: 'missing-verifier' };
      if (!pkceMatches(pending.challenge, pending.method ?? 'plain', request.verifier)) return { ok: false, reason: 'bad-verifier' };
    }
    const { expiresAt: _expiresAt, ...authorization } = pending;
    return { ok: true, authorization, grant: { clientId: pending.clientId, scope: pending.scope, revoked: false } };
  }

  /** Issues a refresh token for the grant (a new one each call). */
  issueRefreshToken(grant: OAuthGrant): string {
    const refreshToken = this.token(this.options.prefixes?.refresh ?? 'rt.');
    this.refreshTokens.set(refreshToken, grant);
    return refreshToken;
  }

  /** Mints an access token for the grant, valid for `seconds` (default `accessTokenSeconds`). */
  mintAccessToken(grant: OAuthGrant, seconds = this.options.accessTokenSeconds): string {
    const accessToken = this.token(this.options.prefixes?.access ?? 'at.');
    this.accessTokens.set(accessToken, { grant, expiresAt: this.now() + seconds * 1000 });
    return accessToken;
  }

  /** The grant behind a refresh token, or undefined when it is unknown, revoked or another client's. */
  refreshGrant(refreshToken: string, clientId?: string): OAuthGrant | undefined {
    const grant = this.refreshTokens.get(refreshToken);
    if (!grant || grant.revoked || (clientId !== undefined && grant.clientId !== clientId)) return undefined;
    return grant;
  }

  /** What an access token is worth now: its grant, or why it no longer works. */
  checkAccessToken(accessToken: string):
    | {
        /** The token works. */
        status: 'valid';
        /** The grant it was minted from. */
        grant: OAuthGrant;
      }
    | {
        /** Why it does not work: never issued (or revoked alone, `revokeAccessToken`), its grant revoked, or past its lifetime. */
        status: 'unknown' | 'revoked' | 'expired';
      } {
    const entry = this.accessTokens.get(accessToken);
    if (!entry) return { status: 'unknown' };
    if (entry.grant.revoked) return { status: 'revoked' };
    if (entry.expiresAt <= this.now()) return { status: 'expired' };
    return { status: 'valid', grant: entry.grant };
  }

  /** True when an `Authorization: Bearer …` header carries a live access token. */
  isAuthorizedHeader(header: string | null): boolean {
    const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
    return match !== null && this.checkAccessToken(match[1]!).status === 'valid';
  }

  /** Revokes the grant behind a token, refresh or access: it and every token minted from it stop working. */
  revokeGrantOf(token: string): boolean {
    const grant = this.refreshTokens.get(token) ?? this.accessTokens.get(token)?.grant;
    if (grant) grant.revoked = true;
    return grant !== undefined;
  }

  /** Revokes one access token only (its refresh token keeps working). */
  revokeAccessToken(token: string): boolean {
    return this.accessTokens.delete(token);
  }

  /** The user removed the app from their account: every grant of this client (or of all clients) ends. */
  revokeAll(clientId?: string): void {
    for (const { grant } of this.accessTokens.values()) if (clientId === undefined || grant.clientId === clientId) grant.revoked = true;
    for (const grant of this.refreshTokens.values()) if (clientId === undefined || grant.clientId === clientId) grant.revoked = true;
  }

  /** Every access token issued so far expires now, as after a clock jump or an early server-side expiry. */
  expireAccessTokens(): void {
    for (const entry of this.accessTokens.values()) entry.expiresAt = Math.min(entry.expiresAt, this.now() - 1);
  }

  /** Whether this refresh token was ever issued here (revoked or not). */
  hasRefreshToken(refreshToken: string): boolean {
    return this.refreshTokens.has(refreshToken);
  }

  private token(prefix: string): string {
    return `${prefix}${randomBytes(24).toString('base64url')}`;
  }
}
