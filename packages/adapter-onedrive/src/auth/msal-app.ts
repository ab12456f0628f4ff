/**
 * The msal-node public client for a user's own app registration (client id + tenant), with the
 * token cache in a 0600 file and, for non-Microsoft authorities (the emulator), the metadata msal
 * would otherwise fetch from login.microsoftonline.com.
 */
import { PublicClientApplication, type AccountInfo } from '@azure/msal-node';
import { registerSecret, StorageError } from '@syncacross/sync-core';
import type { TokenSource } from '../client.js';
import { authorityBaseFor, scopesFor, type OneDriveOptions } from '../options.js';
import { cloudDiscoveryMetadata, MICROSOFT_AUTHORITY_HOSTS, openIdConfiguration } from './authority-metadata.js';
import { FetchNetworkModule } from './network.js';
import { fileCachePlugin, tokenFilePath } from './token-file.js';

const AUTH_HINT = 'run `syncacross auth onedrive` to sign in again';

export interface MsalApp {
  pca: PublicClientApplication;
  network: FetchNetworkModule;
  scopes: string[];
  tokenFile: string;
}

export function createMsalApp(o: OneDriveOptions, credentialsDir: string): MsalApp {
  if (!o.clientId) {
    throw new StorageError('InvalidConfig', 'onedrive: clientId is required (the Application (client) ID of your app registration; see the adapter README), or pass accessToken');
  }
  const base = authorityBaseFor(o);
  const plainHttp = base.startsWith('http:');
  const httpsBase = plainHttp ? base.replace(/^http:/, 'https:') : base;
  const network = new FetchNetworkModule(plainHttp ? base : undefined);
  const custom = !MICROSOFT_AUTHORITY_HOSTS.has(new URL(httpsBase).host);
  const tokenFile = tokenFilePath(credentialsDir, o.account);
  const pca = new PublicClientApplication({
    auth: {
      clientId: o.clientId,
      authority: `${httpsBase}/${o.tenant}`,
      ...(custom
        ? {
            knownAuthorities: [new URL(httpsBase).host],
            authorityMetadata: JSON.stringify(openIdConfiguration(httpsBase, o.tenant)),
            cloudDiscoveryMetadata: JSON.stringify(cloudDiscoveryMetadata(httpsBase)),
          }
        : {}),
    },
    cache: { cachePlugin: fileCachePlugin(tokenFile) },
    system: { networkClient: network },
  });
  return { pca, network, scopes: scopesFor(o), tokenFile };
}

/** Turns msal failures into the contract's codes with a message a person can act on. */
export function authError(error: unknown, during: string): StorageError {
  const e = error as { errorCode?: string; errorMessage?: string; message?: string; name?: string };
  const code = e?.errorCode ?? '';
  const text = `${e?.errorMessage ?? e?.message ?? String(error)}`;
  const say = (msg: string) => new StorageError('AuthFailed', `onedrive ${during}: ${msg}`, { cause: error });
  if (code === 'access_denied' || /AADSTS65004|consent/i.test(text))
    return say(`consent was refused, so the app may not access your files. Run \`syncacross auth onedrive\` and accept the requested permissions (${text})`);
  if (code === 'authorization_declined' || /\bauthorization_declined\b/.test(text)) return say(`the sign-in request was declined. Run \`syncacross auth onedrive\` and approve it (${text})`);
  if (code === 'expired_token' || code === 'code_expired' || code === 'device_code_expired' || /\bexpired_token\b/.test(text))
    return say(`the device code expired before it was used. Run \`syncacross auth onedrive --device\` again and enter the new code sooner (${text})`);
  if (code === 'invalid_grant' || e?.name === 'InteractionRequiredAuthError' || /AADSTS(50173|70008|700082|50078|50076)/.test(text)) {
    return say(`the saved sign-in was revoked or has expired: ${AUTH_HINT} (${text})`);
  }
  if (e?.name === 'ClientConfigurationError' || code === 'invalid_client' || code === 'unauthorized_client') return new StorageError('InvalidConfig', `onedrive ${during}: ${text}`, { cause: error });
  if (error instanceof TypeError || /network|fetch failed|ECONNREFUSED|timed out/i.test(text))
    return new StorageError('Unavailable', `onedrive ${during}: the identity platform could not be reached (${text})`, { cause: error });
  return say(text);
}

/**
 * Access tokens from the saved sign-in. acquireTokenSilent serves the cached access token and
 * redeems the refresh token when it is about to expire (or when Graph refused it: forceRefresh);
 * concurrent refreshes share one request.
 */
export class MsalTokenSource implements TokenSource {
  private cached?: { token: string; expiresOn: number };
  private refreshing?: Promise<string>;

  constructor(
    private readonly app: MsalApp,
    private readonly account: string,
  ) {}

  async token(forceRefresh = false): Promise<string> {
    if (!forceRefresh && this.cached && this.cached.expiresOn - Date.now() > 5 * 60_000) return this.cached.token;
    this.refreshing ??= this.acquire(forceRefresh).finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private async acquire(forceRefresh: boolean): Promise<string> {
    let account: AccountInfo | undefined;
    try {
      [account] = await this.app.pca.getTokenCache().getAllAccounts();
    } catch (error) {
      throw new StorageError('AuthFailed', `onedrive: cannot read the saved sign-in ${this.app.tokenFile}: ${String(error)}`, { cause: error });
    }
    if (!account) throw new StorageError('AuthFailed', `onedrive: no saved sign-in "${this.account}" (${this.app.tokenFile}): run \`syncacross auth onedrive\` first`);
    try {
      const result = await this.app.pca.acquireTokenSilent({ account, scopes: this.app.scopes, forceRefresh });
      registerSecret(result.accessToken);
      this.cached = { token: result.accessToken, expiresOn: result.expiresOn?.getTime() ?? Date.now() + 10 * 60_000 };
      return result.accessToken;
    } catch (error) {
      throw authError(error, 'token refresh');
    }
  }
}
