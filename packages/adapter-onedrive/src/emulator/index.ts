/**
 * A stateful Microsoft Graph drive emulator, written as a fetch handler `(Request) → Response`
 * so it runs inside msw (tests) and as a real loopback server (`serveFetchHandler`, main.ts).
 *
 *   const emu = createOneDriveEmulator({ tokens: ['test-token'] });
 *   server.use(http.all(/^https:\/\/graph\.emulator\.test\//, ({ request }) => emu.handle(request)));
 *   // Graph base URL: https://graph.emulator.test/v1.0 ; authority base: https://graph.emulator.test
 */
import { GraphRoutes, type GraphRoutesOptions } from './graph-handler.js';
import { IdentityEmulator, type IdentityOptions } from './identity.js';
import { graphError } from './responses.js';
import { Throttler, type RetryAfterStyle } from './throttling.js';

export interface OneDriveEmulatorOptions extends GraphRoutesOptions, IdentityOptions {
  /** Bearer tokens accepted without going through the token endpoints. */
  tokens?: string[];
  /** Accept any non-empty bearer token (a convenience for trying the CLI by hand). */
  acceptAnyToken?: boolean;
  /**
   * Real-world mode (SharePoint): every `everyRequests` requests, answer 509 Bandwidth Limit
   * Exceeded for `durationMs` (with Retry-After in seconds unless `retryAfter` says otherwise).
   * https://learn.microsoft.com/sharepoint/dev/general-development/how-to-avoid-getting-throttled-or-blocked-in-sharepoint-online
   */
  bandwidthThrottle?: { everyRequests: number; durationMs: number; retryAfter?: RetryAfterStyle };
}

export interface OneDriveEmulator {
  handle(request: Request): Promise<Response>;
  readonly graph: GraphRoutes;
  readonly identity: IdentityEmulator;
  readonly throttler: Throttler;
  /** Every request served, in order (method and path), for request-count assertions. */
  readonly requests: { method: string; path: string }[];
}

export function createOneDriveEmulator(options: OneDriveEmulatorOptions = {}): OneDriveEmulator {
  const graph = new GraphRoutes(options);
  const identity = new IdentityEmulator(options);
  const throttler = new Throttler();
  if (options.bandwidthThrottle) throttler.scheduleStorms({ ...options.bandwidthThrottle, status: 509 });
  const tokens = new Set(options.tokens ?? []);
  const requests: { method: string; path: string }[] = [];

  const authorized = (request: Request): boolean => {
    const m = /^Bearer (.+)$/.exec(request.headers.get('authorization') ?? '');
    if (!m) return false;
    return options.acceptAnyToken === true || tokens.has(m[1]!) || identity.isValidAccessToken(m[1]!);
  };

  async function handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    // Behind a TLS-terminating proxy (or msal's https-only authority rule, see auth/network.ts),
    // links must carry the scheme the client used.
    const proto = request.headers.get('x-forwarded-proto');
    const origin = proto ? `${proto}://${url.host}` : url.origin;
    requests.push({ method: request.method, path: url.pathname });
    const fromIdentity = await identity.handle(request, url, origin);
    if (fromIdentity) return fromIdentity;
    const throttled = throttler.check();
    if (throttled) return throttled;
    const upload = /^\/_upload\/([^/]+)$/.exec(url.pathname);
    if (upload) return graph.uploads.handle(request, upload[1]!);
    const download = /^\/_download\/([^/]+)\/([^/]+)$/.exec(url.pathname);
    if (download) return serveDownload(graph, request, decodeURIComponent(download[1]!), download[2]!);
    if (!url.pathname.startsWith('/v1.0/')) return graphError(404, 'itemNotFound', `No route for ${url.pathname}`);
    if (!authorized(request)) return graphError(401, 'InvalidAuthenticationToken', 'Access token is empty, expired or invalid.');
    return graph.handle(request, url, origin, url.pathname.slice('/v1.0'.length));
  }

  return { handle, graph, identity, throttler, requests };
}

/** Pre-authenticated download URL: Range honored (206, or 416 past the end). */
function serveDownload(graph: GraphRoutes, request: Request, driveId: string, itemId: string): Response {
  const item = graph.drives.get(driveId)?.live(itemId);
  if (!item || item.isFolder) return graphError(404, 'itemNotFound', 'The download URL is no longer valid');
  const bytes = item.content;
  const range = /^bytes=(\d+)-(\d*)$/.exec(request.headers.get('range') ?? '');
  if (!range) return new Response(Buffer.from(bytes), { status: 200, headers: { 'content-type': 'application/octet-stream', 'content-length': String(bytes.byteLength) } });
  const start = Number(range[1]);
  const end = Math.min(range[2] ? Number(range[2]) : bytes.byteLength - 1, bytes.byteLength - 1);
  if (start >= bytes.byteLength || end < start) {
    return new Response(null, { status: 416, headers: { 'content-range': `bytes */${bytes.byteLength}` } });
  }
  return new Response(Buffer.from(bytes.subarray(start, end + 1)), {
    status: 206,
    headers: { 'content-type': 'application/octet-stream', 'content-range': `bytes ${start}-${end}/${bytes.byteLength}` },
  });
}

export { GraphRoutes, IdentityEmulator, Throttler };
export { openIdConfiguration } from '../auth/authority-metadata.js';
export { FRAGMENT_UNIT } from './upload-sessions.js';
export type { GraphRoutesOptions, IdentityOptions };
export type { ScheduleSpec, StormSpec, RetryAfterStyle, ThrottleStats } from './throttling.js';
export type { FragmentFault } from './upload-sessions.js';
