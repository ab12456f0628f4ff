/**
 * The loopback redirect URI of `syncacross auth dropbox`. Dropbox accepts only a redirect URI
 * registered in the App Console, matched exactly, port included ("It must exactly match one of
 * the redirect URIs you've pre-configured for your app"; issue 24), so the port is fixed
 * (`redirectPort`, default 53682) and the README says what to register. A mismatch shows only in
 * the user's browser, where we would never hear of it: so before opening the browser we ask for
 * the consent page ourselves and, if it refuses the redirect URI, stop with what to register.
 * (That preflight is best effort: any other answer, or no answer, lets the flow go on.)
 */
import { StorageError } from '@syncacross/sync-core';
import type { DropboxOptions } from './options.js';

const redirectUriFor = (port: number) => `http://127.0.0.1:${port}/`;

const register = (uri: string) => `register ${uri} in the Dropbox App Console (your app → Settings → OAuth 2 → Redirect URIs), or set redirectPort to a port you registered`;

/** A random port (0) can never match a registered URI on Dropbox itself; a local emulator may allow it. */
export function checkRedirectPort(options: Pick<DropboxOptions, 'redirectPort' | 'baseUrl'>): void {
  if (options.redirectPort === 0 && !options.baseUrl) {
    throw new StorageError(
      'InvalidConfig',
      `dropbox: redirectPort 0 picks a random port, and Dropbox only accepts a redirect URI registered exactly, port included; ${register(redirectUriFor(53682))}`,
    );
  }
}

/** The loopback port could not be opened. */
export function listenFailed(e: unknown, port: number): StorageError {
  const inUse = (e as { code?: string })?.code === 'EADDRINUSE';
  return new StorageError(
    'InvalidConfig',
    inUse
      ? `dropbox: port ${port} is in use, so the authorization cannot come back to ${redirectUriFor(port)}; free it, or choose another redirectPort and register it too (${register(redirectUriFor(port))})`
      : `dropbox: cannot listen on 127.0.0.1:${port} for the authorization: ${(e as Error)?.message ?? String(e)}`,
    { cause: e },
  );
}

/** Asks for the consent page once; a refusal of the redirect URI becomes a clear InvalidConfig. */
export async function preflightRedirect(consentUrl: string, redirectUri: string, fetchImpl: typeof fetch = fetch): Promise<void> {
  let status: number;
  let text: string;
  try {
    const answer = await fetchImpl(consentUrl, { redirect: 'manual', signal: AbortSignal.timeout(10_000) });
    status = answer.status;
    text = status >= 400 ? await answer.text() : '';
  } catch {
    return; // no answer: the browser will show whatever Dropbox says
  }
  if (status >= 400 && /redirect_uri/i.test(text)) {
    throw new StorageError('InvalidConfig', `dropbox: Dropbox refuses the redirect URI ${redirectUri} (it is not registered for this app key); ${register(redirectUri)}`);
  }
}
