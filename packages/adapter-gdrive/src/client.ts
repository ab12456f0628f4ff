/**
 * Builds the authorized Drive client: an OAuth2 client holding the user's refresh token (access
 * tokens are fetched and refreshed automatically by google-auth-library) and the `drive` v3 API
 * bound to `rootUrl`, with gaxios' retries off (see drive-api.ts).
 */
import { registerSecret, StorageError } from '@syncacross/sync-core';
// The Drive API alone, not googleapis' index: the index loads every Google API (about 1.4 s of
// CPU at each start of a process that opens a gdrive remote), and its declarations, reached from
// ours, cost a consumer's `tsc` about 20 s more. The same `drive` and `auth` as `google.*`, from a
// file of googleapis' build (the package has no `exports` map); if it ever moves, the
// `@googleapis/drive` package is the same code on its own.
import { auth as googleAuth, drive, type drive_v3 } from 'googleapis/build/src/apis/drive/index.js';
import { withinLimits } from './answer-limits.js';
import { REAUTH_HINT, toStorageError } from './errors.js';
import { oauthEndpoints, type GdriveOptions } from './options.js';
import type { AuthRequester } from './resumable-upload.js';
import { readToken, tokenFilePath, writeToken } from './token-store.js';

export type OAuth2Client = InstanceType<typeof googleAuth.OAuth2>;

export interface DriveClients {
  drive: drive_v3.Drive;
  auth: OAuth2Client;
  requester: AuthRequester;
  /** Drops the access token and fetches a new one; false when there is nothing to refresh with. */
  refresh: () => Promise<boolean>;
}

export function createOAuthClient(o: GdriveOptions, redirectUri?: string): OAuth2Client {
  for (const secret of [o.clientSecret, o.refreshToken, o.accessToken]) registerSecret(secret);
  const client = new googleAuth.OAuth2({
    clientId: o.clientId,
    clientSecret: o.clientSecret,
    redirectUri,
    endpoints: oauthEndpoints(o),
    // Off: with it, google-auth-library refreshes the token and silently repeats the request on
    // every 403, rate-limit 403s included. DriveApi refreshes on 401 itself instead.
    forceRefreshOnFailure: false,
  });
  // Its own token requests carry gaxios' retry config (3 retries, AuthClient.RETRY_CONFIG), inside
  // the engine's retry wrapper, which already retries with back-off and honours `--retries`: each
  // attempt there became four token requests. One place retries: ours. And every answer, the API's
  // and the token endpoint's, is read within a limit (answer-limits.ts).
  client.transporter.interceptors.request.add({ resolved: async (config) => ({ ...config, retryConfig: { ...config.retryConfig, retry: 0 }, adapter: withinLimits }) });
  return client;
}

export async function createDriveClients(o: GdriveOptions, credentialsDir?: string): Promise<DriveClients> {
  const auth = createOAuthClient(o);
  // Every token this client ever holds (given, read from the file, or refreshed) is a secret.
  auth.on('tokens', (tokens) => {
    registerSecret(tokens.access_token);
    registerSecret(tokens.refresh_token);
    registerSecret(tokens.id_token);
  });
  if (o.accessToken) {
    auth.setCredentials({ access_token: o.accessToken });
  } else {
    const path = tokenFilePath(o, credentialsDir);
    let refreshToken = o.refreshToken;
    if (!refreshToken && path) {
      try {
        refreshToken = (await readToken(path))?.refresh_token;
      } catch (e) {
        throw new StorageError('AuthFailed', `gdrive: cannot read the token file ${path} (${(e as Error).message}): ${REAUTH_HINT}`, { cause: e });
      }
    }
    registerSecret(refreshToken);
    if (!refreshToken) {
      throw new StorageError('AuthFailed', `gdrive: no Google Drive authorization found${path ? ` (looked for ${path})` : ''}: ${REAUTH_HINT}`);
    }
    if (!o.clientId) throw new StorageError('InvalidConfig', 'gdrive: clientId is required to use a refresh token (the OAuth client it was issued to)');
    auth.setCredentials({ refresh_token: refreshToken });
    // Google may rotate the refresh token; keep the file current when it does.
    auth.on('tokens', (tokens) => {
      if (path && tokens.refresh_token && tokens.refresh_token !== refreshToken) {
        refreshToken = tokens.refresh_token;
        void writeToken(path, { type: 'authorized_user', client_id: o.clientId, refresh_token: tokens.refresh_token, scope: tokens.scope ?? undefined, created: new Date().toISOString() }).catch(
          () => undefined,
        );
      }
    });
  }
  const driveApi = drive({ version: 'v3', auth, rootUrl: o.rootUrl, retry: false, timeout: o.timeoutMs });
  const requester: AuthRequester = {
    request: (options) => auth.request({ ...options, timeout: o.timeoutMs }) as unknown as ReturnType<AuthRequester['request']>,
  };
  const refresh = async () => {
    if (o.accessToken) return false; // a bare access token cannot be renewed
    auth.setCredentials({ ...auth.credentials, access_token: undefined, expiry_date: undefined });
    try {
      await auth.getAccessToken();
    } catch (e) {
      throw toStorageError(e, 'refresh the access token');
    }
    return true;
  };
  return { drive: driveApi, auth, requester, refresh };
}
