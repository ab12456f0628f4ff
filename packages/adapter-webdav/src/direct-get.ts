/**
 * A GET sent with node:http itself, not through the `webdav` client's node-fetch. A download
 * reads packs in ranges of up to 4 MiB, and node-fetch passes every piece of a body through a
 * PassThrough stream of its own, then an async iterator, before our reader copies it. Reading the
 * response itself by its events (response-body.ts), 638 MiB of ranges through Apache WebDAV on
 * loopback (4 MiB, 8 at a time; session 66, Node 20, 5 runs each, alternating) cost 1.42-1.56 s
 * of user CPU against 1.62-1.77, 15 % of what the process spends on them.
 *
 * The request carries the client's own headers (`getHeaders()`: the Authorization it builds and
 * the user's `headers`) and node-fetch's defaults (client.ts), through the same agents (TLS
 * settings, keep-alive). Where node-fetch would do more than read the body, the answer is left to
 * it: a redirect (node-fetch follows it) and a coded body (node-fetch decodes it; none is asked
 * for here, but a server may send one anyway). The caller then sends the request the usual way.
 */
// The modules, not their `request` bindings: looked up at each call, as node-fetch does, so what
// patches node:http (a tracer, msw in the tests) sees these requests too.
import http, { type Agent as HttpAgent, type IncomingMessage } from 'node:http';
import https, { type Agent as HttpsAgent } from 'node:https';
import { uncoded } from '@syncacross/sync-core/adapter-kit';
import type { FetchedBody } from './response-body.js';

export interface DirectGet {
  url: string;
  /** The client's headers and the request's own (a Range). */
  headers: Record<string, string>;
  agents: { http: HttpAgent; https: HttpsAgent };
  timeoutMs: number;
}

/** The answer, its body still to be read (`readBody`), or 'elsewhere' when node-fetch must handle it. */
export function directGet(req: DirectGet): Promise<FetchedBody | 'elsewhere'> {
  const secure = /^https:/i.test(req.url);
  return new Promise((resolve, reject) => {
    const sent = (secure ? https : http).request(
      req.url,
      // The timeout covers the body too: an abort destroys the response, and its reader throws.
      { method: 'GET', agent: secure ? req.agents.https : req.agents.http, headers: req.headers, signal: AbortSignal.timeout(req.timeoutMs) },
      (res) => {
        if (!readHere(res)) {
          drain(res);
          resolve('elsewhere');
          return;
        }
        resolve(answerOf(res));
      },
    );
    sent.on('error', reject);
    sent.end();
  });
}

/**
 * Reads and drops an answer left to node-fetch, so its socket goes back to the agent: a
 * redirect's few bytes. A long body (a coded object, or one with no end from a hostile server) is
 * cut off instead, at the cost of that connection.
 */
const DRAIN_LIMIT = 64 * 1024;
function drain(res: IncomingMessage): void {
  let drained = 0;
  res.on('data', (piece: Buffer) => {
    drained += piece.byteLength;
    if (drained > DRAIN_LIMIT) res.destroy();
  });
  res.on('error', () => undefined); // a destroyed or broken answer nobody reads: nothing to report
}

/** Whether node-fetch would only have read this answer: no redirect to follow, no coding to undo. */
function readHere(res: IncomingMessage): boolean {
  const status = res.statusCode ?? 0;
  if (status >= 300 && status < 400) return false;
  return uncoded(res.headers['content-encoding']);
}

function answerOf(res: IncomingMessage): FetchedBody {
  return {
    status: res.statusCode ?? 0,
    headers: {
      get: (name) => {
        const value = res.headers[name.toLowerCase()];
        return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
      },
    },
    body: res,
    arrayBuffer: async () => {
      const pieces: Buffer[] = [];
      for await (const piece of res) pieces.push(piece as Buffer);
      const whole = Buffer.concat(pieces);
      return whole.buffer.slice(whole.byteOffset, whole.byteOffset + whole.byteLength) as ArrayBuffer;
    },
  };
}
