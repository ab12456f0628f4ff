/**
 * msal-node's network client, on global fetch (one HTTP stack for Graph and sign-in; msw sees
 * both). msal refuses authorities that are not https (msal-common UrlString.validateAsUri:
 * `authorityUriInsecure`), so for a loopback emulator on plain http we give msal the https
 * spelling of its URL and downgrade here, for that origin only, telling the emulator with
 * `X-Forwarded-Proto` which scheme its links should carry.
 */
import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node';

export class FetchNetworkModule implements INetworkModule {
  /** @param httpOrigin an `http://` authority origin to reach through its `https://` spelling. */
  constructor(private readonly httpOrigin?: string) {}

  /** The URL as msal sees it (https) → the URL to fetch. */
  private toWire(url: string): { url: string; downgraded: boolean } {
    if (!this.httpOrigin) return { url, downgraded: false };
    const httpsOrigin = this.httpOrigin.replace(/^http:/, 'https:');
    return url.startsWith(httpsOrigin) ? { url: this.httpOrigin + url.slice(httpsOrigin.length), downgraded: true } : { url, downgraded: false };
  }

  /** For showing a URL to a person: their browser must use the real scheme. */
  publicUrl(url: string): string {
    return this.toWire(url).url;
  }

  sendGetRequestAsync<T>(url: string, options?: NetworkRequestOptions, timeout?: number): Promise<NetworkResponse<T>> {
    return this.send<T>('GET', url, options, timeout);
  }

  sendPostRequestAsync<T>(url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
    return this.send<T>('POST', url, options);
  }

  private async send<T>(method: string, url: string, options?: NetworkRequestOptions, timeout?: number): Promise<NetworkResponse<T>> {
    const wire = this.toWire(url);
    const headers: Record<string, string> = { ...options?.headers };
    if (wire.downgraded) headers['x-forwarded-proto'] = 'https';
    const response = await fetch(wire.url, { method, headers, body: options?.body, signal: timeout ? AbortSignal.timeout(timeout) : undefined });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // msal reads error fields from JSON; a non-JSON body stays a string
    }
    const out: Record<string, string> = {};
    response.headers.forEach((v, k) => (out[k] = v));
    return { headers: out, body: body as T, status: response.status };
  }
}
