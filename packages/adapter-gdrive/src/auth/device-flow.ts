/**
 * The OAuth 2.0 device authorization grant (RFC 8628) as Google runs it ("OAuth 2.0 for TV and
 * Limited-Input Device Applications",
 * https://developers.google.com/identity/protocols/oauth2/limited-input-device):
 * `POST https://oauth2.googleapis.com/device/code` (client_id, scope), show `verification_url` and
 * `user_code`, then poll `https://oauth2.googleapis.com/token` with
 * `grant_type=urn:ietf:params:oauth:grant-type:device_code` (and the client secret) every
 * `interval` seconds: `authorization_pending` (428) keeps polling, `slow_down` (403) adds 5 s to
 * the interval (RFC 8628 §3.5), `access_denied` (403) and `expired_token` end it.
 *
 * Written here rather than taken from a library: google-auth-library has no device flow, and
 * openid-client/oauth4webapi require the RFC's `verification_uri`, which Google spells
 * `verification_url`. Google grants only some scopes this way (drive.file and drive.appdata, not
 * the full drive scope): see DEVICE_FLOW_SCOPES.
 */
import { registerSecret, StorageError } from '@syncacross/sync-core';

const AUTH = 'https://www.googleapis.com/auth/';
/** The Drive scopes Google's device flow may grant (its "Allowed scopes" list). */
export const DEVICE_FLOW_SCOPES: ReadonlySet<string> = new Set([`${AUTH}drive.file`, `${AUTH}drive.appdata`]);

export interface DeviceFlowOptions {
  deviceCodeUrl: string;
  tokenUrl: string;
  clientId: string;
  clientSecret?: string;
  scope: string;
  log: (message: string) => void;
  signal?: AbortSignal;
  /**
   * Waits between polls. Tests pass one that moves a fake clock instead of waiting; the wait asked
   * for is always the server's interval (or more), never less.
   */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface DeviceFlowTokens {
  refreshToken: string;
  accessToken?: string;
  scope?: string;
}

interface OAuthAnswer {
  error?: string;
  error_description?: string;
  [field: string]: unknown;
}

const realSleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });

async function post(url: string, fields: Record<string, string | undefined>, signal?: AbortSignal): Promise<{ status: number; body: OAuthAnswer }> {
  const form = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) form.set(k, v);
  let response: Response;
  try {
    response = await fetch(url, { method: 'POST', body: form, signal });
  } catch (e) {
    if (signal?.aborted) throw signal.reason;
    throw new StorageError('Unavailable', `gdrive: Google's sign-in service could not be reached (${(e as Error).message})`, { cause: e });
  }
  const text = await response.text();
  try {
    return { status: response.status, body: JSON.parse(text) as OAuthAnswer };
  } catch {
    return { status: response.status, body: { error: `http_${response.status}`, error_description: text.slice(0, 200) } };
  }
}

const described = (b: OAuthAnswer) => `${b.error ?? 'error'}${b.error_description ? `: ${b.error_description}` : ''}`;

/** Asks for a device code; refusals of the scope or of the client type get their own advice. */
async function requestDeviceCode(o: DeviceFlowOptions) {
  const { status, body } = await post(o.deviceCodeUrl, { client_id: o.clientId, scope: o.scope }, o.signal);
  if (status >= 500) throw new StorageError('Unavailable', `gdrive: Google's device sign-in failed (${described(body)}); try again later`);
  if (body.error === 'invalid_scope')
    throw new StorageError('InvalidConfig', `gdrive: Google's device sign-in cannot grant ${o.scope} (${described(body)}); only drive.file and drive.appdata can be granted this way`);
  if (body.error === 'invalid_client' || body.error === 'unauthorized_client')
    throw new StorageError('InvalidConfig', `gdrive: Google refused the client for device sign-in (${described(body)}): its type must be "TVs and Limited Input devices" (see the adapter README)`);
  if (body.error || typeof body.device_code !== 'string' || typeof body.user_code !== 'string')
    throw new StorageError('AuthFailed', `gdrive: Google's device sign-in refused the request (${described(body)})`);
  registerSecret(body.device_code);
  const url = String(body.verification_url ?? body.verification_uri ?? 'https://www.google.com/device');
  // RFC 8628 §3.2: without `interval`, clients wait 5 s.
  const interval = typeof body.interval === 'number' && body.interval > 0 ? body.interval : 5;
  const expiresIn = typeof body.expires_in === 'number' ? body.expires_in : 1800;
  return { deviceCode: body.device_code, userCode: body.user_code, url, interval, expiresIn };
}

/**
 * Google's device authorization grant (RFC 8628): asks for a code, has `o` show it with the
 * address, then polls the token endpoint at the server's interval (5 s more after each
 * `slow_down`) until the user approves, denies, or the code expires.
 */
export async function runDeviceFlow(o: DeviceFlowOptions): Promise<DeviceFlowTokens> {
  const sleep = o.sleep ?? realSleep;
  const code = await requestDeviceCode(o);
  o.log(`To sign in to Google Drive, open ${code.url} and enter the code ${code.userCode} (valid ${Math.round(code.expiresIn / 60)} minutes).`);
  let intervalMs = code.interval * 1000;
  // Time is counted in waits asked for, so a slow network never makes us poll faster.
  let waitedMs = 0;
  for (;;) {
    if (waitedMs >= code.expiresIn * 1000) break;
    await sleep(intervalMs, o.signal);
    waitedMs += intervalMs;
    const { status, body } = await post(
      o.tokenUrl,
      { client_id: o.clientId, client_secret: o.clientSecret, device_code: code.deviceCode, grant_type: 'urn:ietf:params:oauth:grant-type:device_code' },
      o.signal,
    );
    if (typeof body.access_token === 'string') {
      registerSecret(body.access_token);
      registerSecret(body.refresh_token);
      if (typeof body.refresh_token !== 'string') throw new StorageError('AuthFailed', 'gdrive: Google returned no refresh token');
      return { refreshToken: body.refresh_token, accessToken: body.access_token, scope: typeof body.scope === 'string' ? body.scope : undefined };
    }
    if (body.error === 'authorization_pending') continue;
    if (body.error === 'slow_down') {
      intervalMs += 5000;
      continue;
    }
    if (body.error === 'access_denied') throw new StorageError('AuthFailed', 'gdrive: access was denied on the sign-in page; run `syncacross auth gdrive --device` again and allow it');
    if (body.error === 'expired_token') break;
    if (status >= 500) throw new StorageError('Unavailable', `gdrive: Google's sign-in service failed while waiting (${described(body)}); try again later`);
    throw new StorageError('AuthFailed', `gdrive: Google refused the device sign-in (${described(body)})`);
  }
  throw new StorageError('AuthFailed', 'gdrive: the device code expired before it was used; run `syncacross auth gdrive --device` again and enter the new code sooner');
}
