/**
 * One place where HTTP requests leave the adapter, through the `webdav` client (which brings
 * Basic/Bearer auth, agents and its multistatus XML parser). Every request is capped by the
 * concurrency limiter and a timeout, and comes back as a plain answer (status, headers, body):
 * call sites decide what a status means for them, errors.ts maps the rest.
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { Readable } from 'node:stream';
import { AuthType, createClient, parseXML, type WebDAVClient } from 'webdav';
import { errorFromNetwork, errorFromStatus } from './errors.js';
import { directGet } from './direct-get.js';
import { readBody, type FetchedBody } from './response-body.js';
import { ConcurrencyLimiter, ERROR_BODY_LIMIT } from '@syncacross/sync-core/adapter-kit';
import type { ResolvedWebDavOptions } from './options.js';

export interface DavAnswer {
  status: number;
  headers: { get(name: string): string | null };
  body: Buffer;
}

export interface DavRequest {
  headers?: Record<string, string>;
  /** Bytes, or a stream (the probe's deliberately interrupted upload: probe-atomic-put.ts). */
  body?: Uint8Array | Readable;
  /** The most bytes of the answer's body the caller uses, given its status; the rest is not read (response-body.ts). Default: `answerLimit`. */
  bodyLimit?: (status: number) => number;
}

/**
 * What node-fetch sends with every request besides the client's headers, sent with direct reads
 * too, so a server, proxy or firewall that looks at them sees the adapter's reads as before.
 * Not its Accept-Encoding: node-fetch decodes what it asks for; pack bytes do not compress.
 */
const FETCH_DEFAULTS = { Accept: '*/*', 'User-Agent': 'node-fetch' };

/**
 * The most of an answer's body read where the caller did not say (`bodyLimit`): a listing's
 * multistatus, up to one byte past LISTING_ANSWER_LIMIT (listing.ts refuses a larger one); any
 * other answer's body is a message (a PUT's, a MOVE's, an error's). A server that sends a body
 * with no end costs that much, not all the memory there is.
 */
function answerLimit(method: string, status: number): number {
  return method === 'PROPFIND' && status === 207 ? LISTING_ANSWER_LIMIT + 1 : ERROR_BODY_LIMIT;
}

/**
 * The largest listing answer taken (one collection, Depth 1): Apache describes an object in about
 * 500 bytes, so this is about 250,000 objects in one collection, far past what a repository keeps
 * in one.
 */
export const LISTING_ANSWER_LIMIT = 128 * 1024 * 1024;

export class DavTransport {
  private readonly client: WebDAVClient;
  private readonly limiter: ConcurrencyLimiter;
  private readonly agents: { http: HttpAgent; https: HttpsAgent };
  private readonly base: string;
  private readonly rootPath: string[];

  constructor(private readonly options: ResolvedWebDavOptions) {
    this.base = options.url.replace(/\/+$/, '');
    // The root is a path the user chose (it may hold spaces or `@`): plain URL escaping, not our key encoding.
    this.rootPath = options.root
      .split('/')
      .filter((s) => s !== '')
      .map(encodeURIComponent);
    this.limiter = new ConcurrencyLimiter(options.concurrency);
    // One socket more than the limiter lets requests through: the probe holds an upload open
    // while it looks at the server (requestNow), and with `concurrency: 1` would wait forever.
    const maxSockets = options.concurrency + 1;
    this.agents = {
      http: new HttpAgent({ keepAlive: true, maxSockets }),
      https: new HttpsAgent({ keepAlive: true, maxSockets, rejectUnauthorized: options.rejectUnauthorized, ...(options.ca ? { ca: options.ca } : {}) }),
    };
    const auth =
      options.bearerToken !== undefined
        ? { authType: AuthType.Token, token: { access_token: options.bearerToken, token_type: 'Bearer' } }
        : options.username !== undefined
          ? { authType: AuthType.Password, username: options.username, password: options.password ?? '' }
          : { authType: AuthType.None };
    this.client = createClient(this.base, { ...auth, headers: options.headers ?? {}, httpAgent: this.agents.http, httpsAgent: this.agents.https });
  }

  /** URL of a path of server names below the root (names are URL-safe by construction). */
  url(names: readonly string[], collection = false): string {
    const parts = [...this.rootPath, ...names];
    return `${this.base}/${parts.join('/')}${collection && parts.length > 0 ? '/' : ''}`;
  }

  /** URL of a collection given by its full path from the base URL (root components included). */
  urlFromBase(components: readonly string[]): string {
    return `${this.base}/${components.map((c) => `${c}/`).join('')}`;
  }

  get rootComponents(): readonly string[] {
    return this.rootPath;
  }

  async request(method: string, url: string, what: string, request: DavRequest = {}): Promise<DavAnswer> {
    return this.limiter.run(() => this.requestNow(method, url, what, request));
  }

  /**
   * A request outside the concurrency limit: only for the probe, which holds one upload open
   * while it looks at the server with another request.
   */
  async requestNow(method: string, url: string, what: string, request: DavRequest = {}): Promise<DavAnswer> {
    let response: FetchedBody | 'elsewhere' = 'elsewhere';
    try {
      // Reads, the bulk of a download, skip node-fetch's streams (direct-get.ts says when they cannot).
      if (method === 'GET' && request.body === undefined)
        response = await directGet({ url, headers: { ...FETCH_DEFAULTS, ...this.client.getHeaders(), ...request.headers }, agents: this.agents, timeoutMs: this.options.timeoutMs });
    } catch (error) {
      throw errorFromNetwork(error, `${what} (${method})`);
    }
    if (response === 'elsewhere') response = await this.throughClient(method, url, what, request);
    try {
      return { status: response.status, headers: response.headers, body: await readBody(response, method, request.bodyLimit?.(response.status) ?? answerLimit(method, response.status)) };
    } catch (error) {
      // The connection broke while the body was coming in: a truncated read is not an answer.
      throw errorFromNetwork(error, `${what} (${method}, reading the response)`);
    }
  }

  /** The request through the `webdav` client (node-fetch): what it answers, its body not read yet. */
  private async throughClient(method: string, url: string, what: string, request: DavRequest): Promise<FetchedBody> {
    let response: FetchedBody;
    try {
      response = await this.client.customRequest('', {
        url,
        method,
        headers: request.headers ?? {},
        ...(request.body === undefined ? {} : { data: request.body instanceof Readable ? request.body : Buffer.from(request.body.buffer, request.body.byteOffset, request.body.byteLength) }),
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (error) {
      // The client throws for every status >= 400, with the response attached.
      const attached = (error as { response?: typeof response }).response;
      if (!attached) throw errorFromNetwork(error, `${what} (${method})`);
      response = attached;
    }
    return response;
  }

  /** Like request(), but any status outside `ok` becomes the mapped StorageError. */
  async expect(method: string, url: string, what: string, ok: readonly number[], request?: DavRequest): Promise<DavAnswer> {
    const answer = await this.request(method, url, what, request);
    if (!ok.includes(answer.status)) throw errorFromStatus(answer, `${what} (${method})`);
    return answer;
  }

  close(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }
}

export interface MultistatusEntry {
  href: string;
  /** Status of the resource itself (`<status>`) or of its properties (`<propstat><status>`). */
  status?: number;
  props?: Record<string, unknown>;
}

/** Parses a 207 Multi-Status body (PROPFIND answers, and MOVE failures on some servers). */
export async function parseMultistatus(body: Buffer): Promise<MultistatusEntry[]> {
  // Keep every value a raw string: fast-xml-parser would otherwise turn an etag such as
  // `486e85` (nephele's hex CRCs) into the number 4.86e87.
  const result = await parseXML(body.toString('utf8'), { attributeNamePrefix: '@', attributeParsers: [], tagParsers: [() => undefined] } as never);
  return result.multistatus.response.map((r) => {
    const statusLine = r.status ?? r.propstat?.status;
    const code = typeof statusLine === 'string' ? Number(statusLine.split(' ')[1]) : undefined;
    return { href: String(r.href), ...(Number.isFinite(code) ? { status: code } : {}), ...(r.propstat?.prop ? { props: r.propstat.prop as Record<string, unknown> } : {}) };
  });
}

/**
 * The status a MOVE really had. RFC 4918 §9.9.4: a 207 answer to MOVE means errors on some
 * resource prevented it; nephele answers a refused `Overwrite: F` that way (207 holding a 412).
 */
export async function effectiveStatus(answer: DavAnswer): Promise<number> {
  if (answer.status !== 207) return answer.status;
  try {
    const failed = (await parseMultistatus(answer.body)).find((e) => e.status !== undefined && e.status >= 300);
    return failed?.status ?? 500;
  } catch {
    return 500;
  }
}
