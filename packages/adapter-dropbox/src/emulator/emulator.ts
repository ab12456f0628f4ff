/**
 * A stateful Dropbox API v2 emulator as a fetch handler (Request → Response): use it inside msw
 * (`http.all(/.*\/, ({ request }) => emulator.handle(request))`) or serve it on a loopback port
 * with `serveFetchHandler` (see main.ts). It answers on Dropbox's own hosts (api., content.,
 * notify.dropboxapi.com, www.dropbox.com), on the SDK's test-domain hosts (`api-<domain>`,
 * `api-content-<domain>`, `bolt-<domain>`, `meta-<domain>`) and on any other host (a local
 * server), checking that a route is called on the right host where the host says which it is.
 *
 * Arguments travel like Dropbox's: JSON bodies for RPC routes, the `Dropbox-API-Arg` header (or
 * `arg` query parameter) for content routes, which must be ASCII with `\uXXXX` escapes
 * (developers/reference/json-encoding; the SDK's httpHeaderSafeJson); download results come back
 * in the `Dropbox-API-Result` header, and downloads honor HTTP Range requests (the docs' "content-
 * download endpoints also support … HTTP range requests", quoted in apache/opendal#2810).
 */
import { ApiError, authError, rateLimited, routeError, tag, type Tagged } from './errors.js';
import { Faults, type FaultKind } from './faults.js';
import { Listings } from './listing.js';
import { Namespace, View } from './namespace.js';
import { OAuthServer, type AppRegistration } from './oauth.js';
import { routes, type Download, type RouteContext } from './routes.js';
import { UploadSessions } from './sessions.js';

type Host = 'api' | 'content' | 'notify';
interface RouteSpec {
  host: Host;
  style: 'rpc' | 'upload' | 'download';
  noauth?: boolean;
  /** Takes the namespace write lock (subject to too_many_write_operations). */
  write?: boolean;
}

const SPECS: Record<string, RouteSpec> = {
  'files/upload': { host: 'content', style: 'upload', write: true },
  'files/upload_session/start': { host: 'content', style: 'upload' },
  'files/upload_session/append_v2': { host: 'content', style: 'upload' },
  'files/upload_session/finish': { host: 'content', style: 'upload', write: true },
  'files/upload_session/finish_batch': { host: 'api', style: 'rpc', write: true },
  'files/upload_session/finish_batch_v2': { host: 'api', style: 'rpc', write: true },
  'files/upload_session/finish_batch/check': { host: 'api', style: 'rpc' },
  'files/download': { host: 'content', style: 'download' },
  'files/get_metadata': { host: 'api', style: 'rpc' },
  'files/delete_v2': { host: 'api', style: 'rpc', write: true },
  'files/list_folder': { host: 'api', style: 'rpc' },
  'files/list_folder/continue': { host: 'api', style: 'rpc' },
  'files/list_folder/get_latest_cursor': { host: 'api', style: 'rpc' },
  'files/list_folder/longpoll': { host: 'notify', style: 'rpc', noauth: true },
  'users/get_current_account': { host: 'api', style: 'rpc' },
  'auth/token/revoke': { host: 'api', style: 'rpc' },
};

export interface DropboxEmulatorOptions {
  /** Registered apps by app key. Default: `emulator-app` (full Dropbox) and `emulator-app-folder` (app folder "syncacross"). */
  apps?: Record<string, AppRegistration>;
  /** Largest request body (Dropbox: 150 MB). Lower it to exercise upload sessions with small objects. */
  maxRequestBytes?: number;
  /** Bytes a namespace may hold (insufficient_space beyond). Default unlimited. */
  quotaBytes?: number;
  /** How many finish_batch/check polls answer in_progress before the job completes. Default 1. */
  batchJobPolls?: number;
  /** Seed for probabilistic fault storms. */
  seed?: number;
  /**
   * Real-world mode, off by default: the chance (0-1) that a write (files/upload,
   * upload_session/finish, finish_batch, delete_v2) commits and then loses its answer (500).
   * A client that retries a create with `strict_conflict` then meets its own file as a conflict
   * (issue 24; the docs' WriteMode/strict_conflict rules make the retry a conflict, and Dropbox
   * support advises telling your own write apart by its contents: dropbox/dropbox-sdk-obj-c#392).
   */
  lostAnswerProbability?: number;
  /**
   * Real-world mode, off by default: namespace write-lock contention. Each write (files/upload,
   * upload_session/finish, a whole finish_batch, delete_v2) holds its namespace's lock for
   * `lockMs`; a write that arrives meanwhile is refused with 429 `too_many_write_operations` and
   * `Retry-After: retryAfterSeconds`. Dropbox: "too_many_write_operations … namespace lock
   * contention"; commit many files with one finish_batch rather than in parallel
   * (developers/reference/data-ingress-guide, dbx-performance-guide); the waits seen under real
   * load are 15-300 s (issue 24). Tests scale both down.
   */
  writeContention?: { lockMs: number; retryAfterSeconds: number };
  /**
   * Real-world mode, off by default: the longest name (path component) Dropbox accepts, 255;
   * longer ones answer `malformed_path` (see paths.ts pathProblem for the source).
   */
  maxNameLength?: number;
  /**
   * Real-world mode, off by default: OAuth redirect URIs must match a registered one exactly
   * (no loopback URI on any port). Apps without `redirectUris` get Dropbox's documented one for
   * syncacross, http://127.0.0.1:53682/ (see oauth.ts).
   */
  exactRedirectUris?: boolean;
  /**
   * Real-world mode, off by default: every files/list_folder/longpoll answer carries
   * `backoff: n`, Dropbox's "backoff for at least this many seconds before calling
   * list_folder/longpoll again" (ListFolderLongpollResult.backoff).
   */
  longpollBackoffSeconds?: number;
}

/** The redirect URI the adapter README tells users to register. */
const DEFAULT_REDIRECT_URI = 'http://127.0.0.1:53682/';

/** The routes that commit a write: a lost answer leaves their outcome unknown to the client. */
const WRITE_ROUTES = /^files\/(upload|upload_session\/finish|upload_session\/finish_batch(_v2)?|delete_v2)$/;

export const HOME_NAMESPACE_ID = '1001';
export const TEAM_NAMESPACE_ID = '2002';

function hostOf(hostname: string): Host | 'www' | undefined {
  const known: Record<string, Host | 'www'> = { 'api.dropboxapi.com': 'api', 'content.dropboxapi.com': 'content', 'notify.dropboxapi.com': 'notify', 'www.dropbox.com': 'www' };
  if (known[hostname]) return known[hostname];
  if (hostname.startsWith('api-content-')) return 'content';
  if (hostname.startsWith('api-')) return 'api';
  if (hostname.startsWith('bolt-')) return 'notify';
  if (hostname.startsWith('meta-')) return 'www';
  return undefined; // a local server: every route on one host
}

function parseArgHeader(value: string): Record<string, unknown> {
  // Non-ASCII must arrive as \uXXXX escapes; JSON.parse decodes them.
  if (/[^\x20-\x7e]/.test(value)) throw new ApiError(400, 'Error in call to API function: HTTP header "Dropbox-API-Arg": could not decode input as JSON');
  try {
    return JSON.parse(value) as Record<string, unknown>;
  } catch {
    throw new ApiError(400, 'Error in call to API function: HTTP header "Dropbox-API-Arg": could not decode input as JSON');
  }
}

/** JSON for an HTTP header: ASCII only, like Dropbox's own Dropbox-API-Result. */
const headerSafeJson = (value: unknown) => JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

const json = (status: number, body: unknown, headers: Record<string, string> = {}) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

export class DropboxEmulator {
  readonly oauth = new OAuthServer();
  readonly faults: Faults;
  readonly listings = new Listings();
  readonly sessions = new UploadSessions();
  readonly home = new Namespace(HOME_NAMESPACE_ID);
  readonly team = new Namespace(TEAM_NAMESPACE_ID);
  /** Namespaces whose write lock is held (writeContention mode). */
  private readonly writeLocks = new Set<string>();
  /** Writes refused because their namespace's lock was held (writeContention mode). */
  contendedWrites = 0;
  /** Requests answered, by route (`files/upload`, `oauth2/token`, …). */
  readonly requestCounts = new Map<string, number>();
  private readonly options: DropboxEmulatorOptions;

  constructor(options: DropboxEmulatorOptions = {}) {
    this.options = options;
    this.faults = new Faults(options.seed);
    if (options.lostAnswerProbability) this.faults.inject({ routes: WRITE_ROUTES, kind: 'answer_lost', probability: options.lostAnswerProbability, times: Infinity });
    const apps = options.apps ?? {
      'emulator-app': { accessType: 'full', name: 'syncacross' },
      'emulator-app-folder': { accessType: 'app_folder', name: 'syncacross' },
    };
    this.oauth.exactRedirectUris = options.exactRedirectUris === true;
    for (const [key, app] of Object.entries(apps)) {
      this.oauth.apps.set(key, options.exactRedirectUris && !app.redirectUris ? { ...app, redirectUris: [DEFAULT_REDIRECT_URI] } : app);
    }
  }

  /** A ready-made access token, as the App Console's "Generate access token" button gives. */
  issueAccessToken(clientId = 'emulator-app', seconds?: number): string {
    return this.oauth.issueAccessToken(clientId, seconds);
  }

  /** Invalidates every list_folder cursor (they answer `reset`). */
  resetCursors(): void {
    this.listings.epoch++;
  }

  requests(route?: string): number {
    if (route !== undefined) return this.requestCounts.get(route) ?? 0;
    let total = 0;
    for (const n of this.requestCounts.values()) total += n;
    return total;
  }

  readonly handle = async (request: Request): Promise<Response> => {
    try {
      return await this.dispatch(request);
    } catch (e) {
      if (!(e instanceof ApiError)) return new Response(`emulator error: ${String(e)}`, { status: 500 });
      return typeof e.body === 'string' ? new Response(e.body, { status: e.status, headers: { 'content-type': 'text/plain; charset=utf-8', ...e.headers } }) : json(e.status, e.body, e.headers);
    }
  };

  private count(route: string): void {
    this.requestCounts.set(route, (this.requestCounts.get(route) ?? 0) + 1);
  }

  private async dispatch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const host = hostOf(url.hostname);
    if (url.pathname === '/oauth2/authorize') {
      this.count('oauth2/authorize');
      return this.oauth.authorize(url);
    }
    if (url.pathname === '/oauth2/token') {
      this.count('oauth2/token');
      if (request.method !== 'POST') throw new ApiError(405, 'POST only');
      return json(200, await this.oauth.token(request));
    }
    if (!url.pathname.startsWith('/2/')) throw new ApiError(404, 'Not found');
    const route = url.pathname.slice(3);
    const spec = SPECS[route];
    if (!spec) throw new ApiError(400, `Unknown API function: "${route}"`);
    this.count(route);
    if (host !== undefined && host !== spec.host) throw new ApiError(400, `Error in call to API function "${route}": this route is served on the ${spec.host} host, not ${url.hostname}`);
    if (request.method !== 'POST' && !(spec.style === 'download' && request.method === 'GET')) throw new ApiError(405, 'POST only');

    const body = new Uint8Array(await request.arrayBuffer());
    let arg: Record<string, unknown>;
    if (spec.style === 'rpc') {
      const text = Buffer.from(body).toString('utf8');
      if (text !== '' && !(request.headers.get('content-type') ?? '').startsWith('application/json')) throw new ApiError(400, 'Bad HTTP "Content-Type" header. Expecting "application/json".');
      try {
        arg = text === '' ? {} : ((JSON.parse(text) as Record<string, unknown>) ?? {});
      } catch {
        throw new ApiError(400, 'Error in call to API function: request body: could not decode input as JSON');
      }
    } else {
      const raw = request.headers.get('dropbox-api-arg') ?? url.searchParams.get('arg');
      if (raw === null) throw new ApiError(400, 'Error in call to API function: Must provide HTTP header "Dropbox-API-Arg" or URL parameter "arg".');
      arg = parseArgHeader(raw);
    }

    if (route === 'files/list_folder/longpoll') {
      // No auth, but throttled like any route (a 429 with Retry-After).
      const fault = this.faults.pick(route);
      if (fault) throw this.faultError(fault.kind, fault.retryAfterSeconds, route, spec);
      return json(200, await this.listings.longpoll((id) => this.viewForNamespace(id), arg, request.signal, this.options.longpollBackoffSeconds));
    }
    const { view, token } = this.authorize(request);
    if (route === 'auth/token/revoke') {
      this.oauth.revoke(token);
      return json(200, null);
    }
    const fault = this.faults.pick(route);
    if (fault && fault.kind !== 'answer_lost') throw this.faultError(fault.kind, fault.retryAfterSeconds, route, spec);

    const ctx: RouteContext = {
      view,
      arg,
      body,
      request,
      sessions: this.sessions,
      listings: this.listings,
      quotaBytes: this.options.quotaBytes,
      maxNameLength: this.options.maxNameLength,
      maxRequestBytes: this.options.maxRequestBytes ?? 150 * 1024 * 1024,
      batchJobPolls: this.options.batchJobPolls ?? 1,
      batchEntryContended: () => this.faults.pick('finish_batch entry')?.kind === 'nested_too_many_write_operations',
    };
    if (fault?.kind === 'answer_lost') {
      // Whatever the route did (committed, or refused) stays done; the client never hears of it.
      await Promise.resolve()
        .then(() => routes[route]!(ctx))
        .catch(() => undefined);
      throw this.faultError('answer_lost', undefined, route, spec);
    }
    const result = spec.write && this.options.writeContention ? await this.underWriteLock(view, () => routes[route]!(ctx)) : await routes[route]!(ctx);
    if (spec.style === 'download') return this.download(request, result as Download);
    return json(200, result);
  }

  /** Runs a write holding its namespace's lock for writeContention.lockMs; refuses it if the lock is taken. */
  private async underWriteLock(view: View, run: () => unknown): Promise<unknown> {
    const { lockMs, retryAfterSeconds } = this.options.writeContention!;
    const id = view.ns.id;
    if (this.writeLocks.has(id)) {
      this.contendedWrites++;
      throw rateLimited('too_many_write_operations', retryAfterSeconds);
    }
    this.writeLocks.add(id);
    try {
      await new Promise((resolve) => setTimeout(resolve, lockMs));
      return await run();
    } finally {
      this.writeLocks.delete(id);
    }
  }

  private download(request: Request, d: Download): Response {
    const size = d.bytes.byteLength;
    const headers: Record<string, string> = {
      'content-type': 'application/octet-stream',
      'dropbox-api-result': headerSafeJson(d.metadata),
      'accept-ranges': 'bytes',
      etag: `W/"${String(d.metadata.rev)}"`,
    };
    const range = request.headers.get('range');
    if (!range) return new Response(d.bytes, { status: 200, headers: { ...headers, 'content-length': String(size) } });
    const m = /^bytes=(\d*)-(\d*)$/.exec(range.trim());
    if (!m || (m[1] === '' && m[2] === '')) return new Response(d.bytes, { status: 200, headers });
    let start: number;
    let end: number;
    if (m[1] === '') {
      start = Math.max(0, size - Number(m[2]));
      end = size - 1;
    } else {
      start = Number(m[1]);
      end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
    }
    if (start >= size || start > end) return new Response(null, { status: 416, headers: { 'content-range': `bytes */${size}` } });
    return new Response(d.bytes.subarray(start, end + 1), { status: 206, headers: { ...headers, 'content-range': `bytes ${start}-${end}/${size}` } });
  }

  private authorize(request: Request): { view: View; token: string } {
    const auth = request.headers.get('authorization') ?? '';
    const m = /^Bearer (.+)$/.exec(auth);
    if (!m) throw new ApiError(400, 'Error in call to API function: Invalid authorization value in HTTP header "Authorization": "Bearer <token>" expected.');
    const token = m[1]!;
    const access = this.oauth.checkAccessToken(token);
    if (access.status === 'expired') throw authError('expired_access_token');
    if (access.status !== 'valid') throw authError('invalid_access_token');
    const app = this.oauth.apps.get(access.grant.clientId)!;
    const appRoot = app.accessType === 'app_folder' ? `/Apps/${app.name}` : '';
    const pathRoot = request.headers.get('dropbox-api-path-root');
    if (pathRoot === null) return { view: new View(this.home, appRoot), token };
    if (app.accessType === 'app_folder') throw new ApiError(400, 'Error in call to API function: Path root is not supported for sandbox app');
    let root: Tagged;
    try {
      root = JSON.parse(pathRoot) as Tagged;
    } catch {
      throw new ApiError(400, 'Error in call to API function: HTTP header "Dropbox-API-Path-Root": could not decode input as JSON');
    }
    // PathRoot: home | root(NamespaceId) | namespace_id(NamespaceId); wrong ids answer 422 PathRootError.
    const rootInfo = { '.tag': 'team', root_namespace_id: TEAM_NAMESPACE_ID, home_namespace_id: HOME_NAMESPACE_ID, home_path: '/Emulated User' };
    if (root['.tag'] === 'home') return { view: new View(this.home, ''), token };
    if (root['.tag'] === 'root') {
      if (root.root !== TEAM_NAMESPACE_ID) throw routeError({ '.tag': 'invalid_root', invalid_root: rootInfo }, 422);
      return { view: new View(this.team, ''), token };
    }
    if (root['.tag'] === 'namespace_id') {
      const ns = this.namespace(String(root.namespace_id));
      if (!ns) throw routeError(tag('no_permission'), 422);
      return { view: new View(ns, ''), token };
    }
    throw new ApiError(400, 'Error in call to API function: HTTP header "Dropbox-API-Path-Root": unknown tag');
  }

  namespace(id: string): Namespace | undefined {
    return id === HOME_NAMESPACE_ID ? this.home : id === TEAM_NAMESPACE_ID ? this.team : undefined;
  }

  private viewForNamespace(id: string): View | undefined {
    const ns = this.namespace(id);
    return ns && new View(ns, '');
  }

  private faultError(kind: FaultKind, retryAfterSeconds: number | undefined, route: string, spec: RouteSpec): ApiError {
    switch (kind) {
      case 'too_many_requests':
      case 'too_many_write_operations':
        return rateLimited(kind, retryAfterSeconds);
      case 'nested_too_many_write_operations': {
        const contended = tag('too_many_write_operations');
        if (route === 'files/upload') return routeError({ '.tag': 'path', reason: contended, upload_session_id: this.sessions.start(new Uint8Array(0), true).id });
        if (route === 'files/upload_session/finish') return routeError({ '.tag': 'path', path: contended });
        if (spec.write) return routeError(contended);
        return rateLimited('too_many_write_operations', retryAfterSeconds);
      }
      case 'server_error':
      case 'answer_lost':
        return new ApiError(500, 'Internal Server Error');
      case 'service_unavailable':
        return new ApiError(503, 'Service Unavailable', retryAfterSeconds === undefined ? {} : { 'Retry-After': String(retryAfterSeconds) });
    }
  }
}
