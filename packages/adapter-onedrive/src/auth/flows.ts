/**
 * `syncacross auth onedrive`: signs in with the user's own app registration and saves msal's
 * token cache (with the refresh token) 0600 under the credentials directory.
 * - browser (default): authorization code + PKCE through a loopback redirect
 *   (http://localhost:<port>, msal-node's LoopbackClient), for desktops;
 * - device-code: prints a URL and a code to enter on any device, for headless machines
 *   (https://learn.microsoft.com/entra/identity-platform/v2-oauth2-device-code).
 */
import type { AuthContext } from '@syncacross/sync-core';
import type { OneDriveOptions } from '../options.js';
import { authError, createMsalApp } from './msal-app.js';

export type AuthFlow = 'browser' | 'device-code';

const page = (title: string, body: string) => `<!doctype html><meta charset="utf-8"><title>${title}</title><h1>${title}</h1><p>${body}</p>`;

export async function authorizeOneDrive(options: OneDriveOptions, ctx: AuthContext, flow: AuthFlow): Promise<void> {
  const app = createMsalApp(options, ctx.credentialsDir);
  let username: string | undefined;
  try {
    if (flow === 'device-code') {
      const result = await app.pca.acquireTokenByDeviceCode({
        scopes: app.scopes,
        deviceCodeCallback: (r) => {
          const url = app.network.publicUrl(r.verificationUri);
          ctx.log(`To sign in to OneDrive, open ${url} and enter the code ${r.userCode} (valid ${Math.round(r.expiresIn / 60)} minutes).`);
          void ctx.openUrl(url);
        },
      });
      username = result?.account?.username;
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
    throw authError(error, 'sign-in');
  }
  ctx.log(`Signed in${username ? ` as ${username}` : ''}. Tokens saved to ${app.tokenFile} (readable by you only).`);
}
