/**
 * A stateful Google Drive v3 emulator written as a fetch handler (Request → Response), so the
 * same code runs inside msw in tests and as a real local server (`serveFetchHandler`, main.ts).
 *
 * It plays what makes Drive hard: duplicate names, search lag (`searchLagMs`), an emulated write
 * quota (403 `userRateLimitExceeded`), injectable 403/429/5xx, `incompleteSearch`, lost create
 * responses that leave duplicates (`duplicateCreates`), the change log (`changes`,
 * changes-api.ts), plus the OAuth endpoints.
 */
import { listChanges, startPageToken } from './changes-api.js';
import { getFile, createFromMetadata, deleteFile, listFiles, updateFile, type ListBehaviour } from './files-api.js';
import { DailyQuotas, type RealWorldOptions } from './real-world.js';
import { FaultRules, type FaultRuleBase, type InjectedFault } from '@syncacross/sync-core/emulator-kit';
import { OAuthEmulator, type OAuthEmulatorOptions } from './oauth.js';
import { cannedError, driveError, realWorldErrors, unauthenticated, type InjectableError } from './responses.js';
import { DriveStore, type StoredFile } from './store.js';
import { UploadEndpoint } from './uploads.js';

export { QuerySyntaxError, parseQuery } from './query.js';
export { FOLDER_MIME } from './store.js';
export type { StoredFile } from './store.js';
export type { InjectableError } from './responses.js';
export type { OAuthClientRegistration } from './oauth.js';
export type { RealWorldOptions } from './real-world.js';

export interface DriveEmulatorOptions extends OAuthEmulatorOptions, RealWorldOptions {
  /** How long a new file stays invisible to `files.list` searches (it is visible by id at once). Default 0. */
  searchLagMs?: number;
  /** Emulated per-user write quota: at most `writes` creates/deletes per `windowMs`, else 403 userRateLimitExceeded. */
  writeQuota?: { writes: number; windowMs: number };
  /** Every create stores this many identical files, as when a lost response made a client retry. Default 1. */
  copiesPerCreate?: number;
  /** Require a valid `Authorization: Bearer` token from the token endpoint. Default true. */
  requireAuth?: boolean;
}

export interface FaultRule extends FaultRuleBase {
  error: InjectableError;
  retryAfterSeconds?: number;
  /** Only requests with one of these methods (e.g. ['POST']). */
  methods?: string[];
  /** Only requests whose path contains this text (e.g. '/upload/'). */
  pathIncludes?: string;
  /** Only requests whose query string contains this text (e.g. 'pageToken' for later pages). */
  queryIncludes?: string;
}

export type RequestKind = 'list' | 'changes' | 'get' | 'media' | 'create' | 'upload' | 'chunk' | 'delete' | 'update' | 'token' | 'authorize' | 'revoke' | 'device' | 'other';

export interface DriveEmulatorStats {
  requests: Record<RequestKind, number>;
  /** Requests answered with an injected error or a quota refusal. */
  throttled: number;
  injected: number;
  total: number;
}

const zeroStats = (): DriveEmulatorStats => ({
  requests: { list: 0, changes: 0, get: 0, media: 0, create: 0, upload: 0, chunk: 0, delete: 0, update: 0, token: 0, authorize: 0, revoke: 0, device: 0, other: 0 },
  throttled: 0,
  injected: 0,
  total: 0,
});

const WRITE_KINDS: ReadonlySet<RequestKind> = new Set(['create', 'upload', 'delete', 'update']);

export class DriveEmulator {
  readonly store: DriveStore;
  readonly oauth: OAuthEmulator;
  readonly uploads: UploadEndpoint;
  stats: DriveEmulatorStats = zeroStats();
  /** Upcoming listings answered with `incompleteSearch: true`. */
  readonly listBehaviour: ListBehaviour;
  /** The real-world modes in force (real-world.ts); tests may change them between requests. */
  readonly realWorld: RealWorldOptions;
  private readonly quotas: DailyQuotas;
  copiesPerCreate: number;
  writeQuota: { writes: number; windowMs: number } | undefined;
  private readonly faults = new FaultRules<FaultRule, { method: string; path: string; query: string }>(
    (f, r) => (!f.methods || f.methods.includes(r.method)) && (!f.pathIncludes || r.path.includes(f.pathIncludes)) && (!f.queryIncludes || r.query.includes(f.queryIncludes)),
  );
  private quotaWindow = { start: 0, used: 0 };
  private readonly now: () => number;
  private readonly requireAuth: boolean;

  constructor(options: DriveEmulatorOptions = {}) {
    this.now = options.now ?? Date.now;
    this.store = new DriveStore(this.now, options.searchLagMs ?? 0);
    this.oauth = new OAuthEmulator(options);
    this.copiesPerCreate = options.copiesPerCreate ?? 1;
    this.realWorld = {
      orOfParentsDrops: options.orOfParentsDrops,
      caseInsensitiveNameQueries: options.caseInsensitiveNameQueries,
      contentManager: options.contentManager,
      dailyUploadBytes: options.dailyUploadBytes,
      downloadsPerFilePerDay: options.downloadsPerFilePerDay,
      maxChildrenPerFolder: options.maxChildrenPerFolder,
    };
    this.listBehaviour = { incompleteSearches: 0, orOfParentsDrops: options.orOfParentsDrops, caseInsensitiveNameQueries: options.caseInsensitiveNameQueries };
    this.store.maxChildrenPerFolder = options.maxChildrenPerFolder ?? Infinity;
    this.quotas = new DailyQuotas(this.realWorld, this.now);
    this.uploads = new UploadEndpoint(
      this.store,
      () => this.copiesPerCreate,
      (bytes) => this.quotas.upload(bytes),
    );
    this.writeQuota = options.writeQuota;
    this.requireAuth = options.requireAuth ?? true;
  }

  /** The fetch handler. Never throws: unexpected failures answer 500 like a broken backend. */
  readonly handle = async (request: Request): Promise<Response> => {
    try {
      return await this.route(request);
    } catch (e) {
      return driveError(500, 'backendError', `emulator failure: ${e instanceof Error ? e.message : String(e)}`);
    }
  };

  set searchLagMs(ms: number) {
    this.store.searchLagMs = ms;
  }

  inject(rule: FaultRule): InjectedFault<FaultRule> {
    return this.faults.inject(rule);
  }

  /** Makes every change page token issued so far answer 400, as a token Drive no longer honours. */
  expireChangeTokens(): void {
    this.store.changeTokenBase += this.store.changeLog.length + 1;
  }

  resetStats(): void {
    this.stats = zeroStats();
  }

  /** Every file and folder (ids, names, parents), for tests and for people poking at the emulator. */
  files(): StoredFile[] {
    return this.store.all();
  }

  private kindOf(method: string, path: string, url: URL): RequestKind {
    if (path === '/token') return 'token';
    if (path === '/device/code' || path === '/device') return 'device';
    if (path === '/revoke') return 'revoke';
    if (path === '/o/oauth2/v2/auth') return 'authorize';
    if (path === '/upload/drive/v3/files') return method === 'PUT' ? 'chunk' : 'upload';
    if (path === '/drive/v3/changes' || path === '/drive/v3/changes/startPageToken') return method === 'GET' ? 'changes' : 'other';
    if (path === '/drive/v3/files') return method === 'GET' ? 'list' : method === 'POST' ? 'create' : 'other';
    if (path.startsWith('/drive/v3/files/')) {
      if (method === 'DELETE') return 'delete';
      if (method === 'PATCH') return 'update';
      if (method === 'GET') return url.searchParams.get('alt') === 'media' ? 'media' : 'get';
    }
    return 'other';
  }

  /** Fixed windows: the (writes+1)-th write inside one window is refused. */
  private overQuota(): boolean {
    if (!this.writeQuota) return false;
    const t = this.now();
    if (t - this.quotaWindow.start >= this.writeQuota.windowMs) this.quotaWindow = { start: t, used: 0 };
    if (this.quotaWindow.used >= this.writeQuota.writes) return true;
    this.quotaWindow.used++;
    return false;
  }

  private async route(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const method = request.method.toUpperCase();
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const kind = this.kindOf(method, path, url);
    this.stats.total++;
    this.stats.requests[kind]++;

    if (kind === 'authorize') return this.oauth.authorize(url);
    if (kind === 'token') return this.oauth.token(request);
    if (kind === 'revoke') return this.oauth.revokeEndpoint(request, url);
    if (kind === 'device') return path === '/device' ? this.oauth.devices.page(url) : this.oauth.devices.issue(request, url.origin);

    const fault = this.faults.take({ method, path, query: decodeURIComponent(url.search) });
    if (fault) {
      this.stats.injected++;
      if (fault.error !== '500' && fault.error !== '502' && fault.error !== '503') this.stats.throttled++;
      return cannedError(fault.error, fault.retryAfterSeconds);
    }
    // Resumable session URIs carry their own authority; every other call needs a live token.
    if (this.requireAuth && kind !== 'chunk' && !this.oauth.isAuthorized(request.headers.get('authorization'))) return unauthenticated();
    if (WRITE_KINDS.has(kind) && this.overQuota()) {
      this.stats.throttled++;
      return cannedError('userRateLimitExceeded');
    }

    switch (kind) {
      case 'list':
        return listFiles(this.store, url, this.listBehaviour);
      case 'changes':
        return path.endsWith('/startPageToken') ? startPageToken(this.store) : listChanges(this.store, url);
      case 'get':
        return getFile(this.store, fileIdOf(path), url, request);
      case 'media':
        if (this.store.get(fileIdOf(path))?.bytes && !this.quotas.download(this.store.get(fileIdOf(path))!.id)) return realWorldErrors.downloadQuota();
        return getFile(this.store, fileIdOf(path), url, request);
      case 'delete':
        return deleteFile(this.store, fileIdOf(path), this.realWorld.contentManager === true);
      case 'update': {
        const body = await readJson(request);
        return body instanceof Response ? body : updateFile(this.store, fileIdOf(path), body, url.searchParams.get('fields'));
      }
      case 'create': {
        const metadata = await readJson(request);
        return metadata instanceof Response ? metadata : createFromMetadata(this.store, metadata, undefined, url.searchParams.get('fields'), this.copiesPerCreate);
      }
      case 'upload':
        return this.uploads.post(url, request);
      case 'chunk':
        return this.uploads.put(url, request);
      default:
        return driveError(404, 'notFound', `Not Found: ${method} ${path}`);
    }
  }
}

const fileIdOf = (path: string) => decodeURIComponent(path.slice('/drive/v3/files/'.length));

/** A JSON request body ({} when empty), or Drive's 400 parseError. */
async function readJson(request: Request): Promise<unknown> {
  const text = await request.text();
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return driveError(400, 'parseError', 'Parse Error');
  }
}

export function createDriveEmulator(options: DriveEmulatorOptions = {}): DriveEmulator {
  return new DriveEmulator(options);
}
