/**
 * The Graph SDK client with our own middleware chain:
 *   throttle gate → bearer token (refresh once on 401) → answer limits → redirects → fetch.
 *
 * Why not `Client.init({ authProvider })` with the default chain:
 * - the SDK's AuthenticationHandler only attaches the token to https URLs on Graph's own hosts
 *   or `customHosts` (GraphRequestUtil.isValidEndpoint), so a national cloud proxy or the
 *   loopback emulator on http would get no token at all;
 * - its RetryHandler retries 429/503 by itself (up to 3 times, per request), which would hide
 *   throttling from the per-drive gate and from the engine's back-off (withRetry);
 * - the RedirectHandler is kept: GET /content answers 302 to a pre-authenticated download URL
 *   (https://learn.microsoft.com/graph/api/driveitem-get-content) and it drops the
 *   Authorization header when the redirect leaves the Graph host.
 */
import { Client, GraphClientError, HTTPMessageHandler, RedirectHandler, RedirectHandlerOptions, type Context, type Middleware } from '@microsoft/microsoft-graph-client';
import { isStorageError, parseRetryAfter, StorageError } from '@syncacross/sync-core';
import { AnswerLimitMiddleware, withinLimits } from './answer-limits.js';
import { graphFailure, toStorageError } from './errors.js';
import type { ThrottleGate } from './throttle-gate.js';

/** Gives Graph access tokens: the saved sign-in (refreshed as needed), a fixed `accessToken`, or an embedding app's own. */
export interface TokenSource {
  /** An access token; `forceRefresh` after the server refused the previous one. */
  token(forceRefresh?: boolean): Promise<string>;
}

export interface GraphTransport {
  readonly client: Client;
  /** e.g. `https://graph.microsoft.com/v1.0` (no trailing slash). */
  readonly graphBase: string;
  readonly gate: ThrottleGate;
  /** Turns an absolute link from Graph (`@odata.nextLink`) into a path the client accepts. */
  relative(link: string): string;
  /** Runs an SDK call, mapping failures to StorageError. */
  run<T>(what: string, call: (client: Client) => Promise<T>): Promise<T>;
  /** Plain fetch through the throttle gate, without Authorization (upload URLs); its answer read within limits (answer-limits.ts). */
  fetchUnauthenticated(url: string, init: RequestInit): Promise<Response>;
}

function setHeader(context: Context, name: string, value: string): void {
  context.options ??= {};
  const h = context.options.headers;
  if (h instanceof Headers) h.set(name, value);
  else context.options.headers = { ...(h as Record<string, string> | undefined), [name]: value };
}

class GateMiddleware implements Middleware {
  private next!: Middleware;
  constructor(private readonly gate: ThrottleGate) {}
  setNext(next: Middleware): void {
    this.next = next;
  }
  async execute(context: Context): Promise<void> {
    await this.gate.wait();
    await this.next.execute(context);
    observeThrottle(this.gate, context.response);
  }
}

/** Throttling answers: 429, 503, and SharePoint's 509 Bandwidth Limit Exceeded (see errors.ts). */
const THROTTLE_STATUSES = new Set([429, 503, 509]);

/** Pauses the drive's gate when a response asks us to back off. */
function observeThrottle(gate: ThrottleGate, response: Response | undefined): void {
  if (!response || !THROTTLE_STATUSES.has(response.status)) return;
  const ms = parseRetryAfter(response.headers.get('retry-after'));
  if (ms !== undefined) gate.pause(ms);
}

class BearerMiddleware implements Middleware {
  private next!: Middleware;
  constructor(
    private readonly tokens: TokenSource,
    private readonly graphBase: string,
  ) {}
  setNext(next: Middleware): void {
    this.next = next;
  }
  private async token(force: boolean): Promise<string> {
    try {
      return await this.tokens.token(force);
    } catch (error) {
      // The SDK rethrows GraphClientError untouched: carry our StorageError through it.
      throw Object.assign(new GraphClientError(error instanceof Error ? error.message : String(error)), { storageError: error });
    }
  }
  async execute(context: Context): Promise<void> {
    const url = typeof context.request === 'string' ? context.request : context.request.url;
    if (!url.startsWith(this.graphBase)) return this.next.execute(context);
    setHeader(context, 'Authorization', `Bearer ${await this.token(false)}`);
    await this.next.execute(context);
    if (context.response?.status === 401) {
      // Access tokens can be revoked or expire early server-side: refresh once and replay.
      setHeader(context, 'Authorization', `Bearer ${await this.token(true)}`);
      await this.next.execute(context);
    }
  }
}

export function createGraphTransport(options: { graphBase: string; tokens: TokenSource; gate: ThrottleGate }): GraphTransport {
  const graphBase = options.graphBase.replace(/\/+$/, '');
  const cut = graphBase.lastIndexOf('/');
  const host = graphBase.slice(0, cut);
  const version = graphBase.slice(cut + 1);
  const chain: Middleware[] = [
    new GateMiddleware(options.gate),
    new BearerMiddleware(options.tokens, graphBase),
    new AnswerLimitMiddleware(),
    new RedirectHandler(new RedirectHandlerOptions()),
    new HTTPMessageHandler(),
  ];
  for (let i = 0; i < chain.length - 1; i++) chain[i]!.setNext!(chain[i + 1]!);
  const client = Client.initWithMiddleware({ baseUrl: host, defaultVersion: version, middleware: chain[0]! });

  return {
    client,
    graphBase,
    gate: options.gate,
    relative(link: string): string {
      if (!link.startsWith(graphBase)) throw new StorageError('Corrupt', `Graph returned a link outside ${graphBase}: ${link}`);
      return link.slice(graphBase.length);
    },
    async run<T>(what: string, call: (c: Client) => Promise<T>): Promise<T> {
      try {
        return await call(client);
      } catch (error) {
        if (isStorageError(error)) throw error;
        const carried = (error as { storageError?: unknown }).storageError;
        if (isStorageError(carried)) throw carried;
        if (carried !== undefined) throw new StorageError('AuthFailed', `${what}: ${String((carried as Error).message ?? carried)}`, { cause: carried });
        throw toStorageError(graphFailure(error), what, error);
      }
    },
    async fetchUnauthenticated(url: string, init: RequestInit): Promise<Response> {
      await options.gate.wait();
      const response = await fetch(url, init);
      observeThrottle(options.gate, response);
      return withinLimits(response);
    },
  };
}
