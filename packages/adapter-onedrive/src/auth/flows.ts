/**
 * `syncacross auth onedrive`: signs in with the user's own app registration and saves msal's
 * token cache (with the refresh token) 0600 under the credentials directory.
 * - browser (default): authorization code + PKCE through a loopback redirect
 *   (http://localhost:<port>, msal-node's LoopbackClient), for desktops;
 * - device-code: prints a URL and a code to enter on any device, for headless machines and SSH
 *   (https://learn.microsoft.com/entra/identity-platform/v2-oauth2-device-code).
 */
import type { DeviceCodeRequest } from '@azure/msal-node';
import type { AuthContext } from '@syncacross/sync-core';
import type { OneDriveOptions } from '../options.js';
import { authError, createMsalApp, type MsalApp } from './msal-app.js';

type AuthFlow = 'browser' | 'device-code';

const page = (title: string, body: string) => `<!doctype html><meta charset="utf-8"><title>${title}</title><h1>${title}</h1><p>${body}</p>`;

/**
 * `syncacross auth --device` / `--no-browser` win over the `authFlow` option; with neither, a
 * machine where no browser can open (SSH, no display) signs in with a device code, since the
 * loopback redirect could not come back to it from another machine.
 */
function chooseFlow(options: Pick<OneDriveOptions, 'authFlow'>, ctx: Pick<AuthContext, 'flow' | 'browser'>): AuthFlow {
  if (ctx.flow === 'device') return 'device-code';
  if (ctx.flow === 'browser') return 'browser';
  return options.authFlow ?? (ctx.browser === false ? 'device-code' : 'browser');
}

/**
 * The device authorization grant through msal-node (acquireTokenByDeviceCode polls /token every
 * `interval` seconds while the answer is `authorization_pending`, and fails on anything else:
 * Microsoft documents authorization_declined, expired_token and bad_verification_code as the
 * other answers, https://learn.microsoft.com/entra/identity-platform/v2-oauth2-device-code).
 * Ctrl-C sets msal's `cancel` flag (checked between polls) and stops waiting at once.
 */
async function deviceCodeSignIn(app: MsalApp, ctx: AuthContext): Promise<string | undefined> {
  const request: DeviceCodeRequest = {
    scopes: app.scopes,
    deviceCodeCallback: (r) => {
      const url = app.network.publicUrl(r.verificationUri);
      ctx.log(`To sign in to OneDrive, open ${url} and enter the code ${r.userCode} (valid ${Math.round(r.expiresIn / 60)} minutes).`);
    },
  };
  const signal = ctx.signal;
  if (signal?.aborted) throw signal.reason;
  let onAbort = () => undefined as void;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => {
      request.cancel = true;
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  try {
    const result = await Promise.race([app.pca.acquireTokenByDeviceCode(request), aborted]);
    return result?.account?.username;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

export async function authorizeOneDrive(options: OneDriveOptions, ctx: AuthContext): Promise<void> {
  const app = createMsalApp(options, ctx.credentialsDir);
  let username: string | undefined;
  try {
    if (chooseFlow(options, ctx) === 'device-code') {
      username = await deviceCodeSignIn(app, ctx);
    } else {
      const result = await app.pca.acquireTokenInteractive({
        scopes: app.scopes,
        openBrowser: async (url) => {
          ctx.log('Opening the Microsoft sign-in page in your browser…');
          await ctx.openUrl(app.network.publicUrl(url));
        },
        successTemplate: page('Signed in', 'syncacross may now use your OneDrive. You can close this tab.'),
        errorTemplate: page('Sign-in failed', 'Return to the terminal for details.'),
      });
      username = result.account?.username;
    }
  } catch (error) {
    if (ctx.signal?.aborted) throw ctx.signal.reason;
    throw authError(error, 'sign-in');
  }
  ctx.log(`Signed in${username ? ` as ${username}` : ''}. Tokens saved to ${app.tokenFile} (readable by you only).`);
}
