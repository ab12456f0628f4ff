/**
 * Serves a fetch-style handler (Request → Response) on a loopback port. Our API emulators are
 * written as such handlers so the same code runs inside msw (tests) and as a real local HTTP
 * server (for the CLI, or a user trying an adapter without a cloud account).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An HTTP server as a function of the WHATWG fetch API: a request in, a response out. */
export type FetchHandler = (request: Request) => Promise<Response> | Response;

/** A handler being served (`serveFetchHandler`). */
export interface RunningServer {
  /** The server's origin, e.g. `http://127.0.0.1:49152` (no trailing `/`). */
  url: string;
  /** The port it listens on (a free one unless asked for). */
  port: number;
  /** The underlying Node server. */
  server: Server;
  /** Stops listening; resolves once open connections have ended. */
  close(): Promise<void>;
}

async function toRequest(req: IncomingMessage, origin: string): Promise<Request> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) {
    if (Array.isArray(v)) for (const x of v) headers.append(k, x);
    else if (v !== undefined) headers.set(k, v);
  }
  const method = req.method ?? 'GET';
  const body = method === 'GET' || method === 'HEAD' ? undefined : Buffer.concat(chunks);
  return new Request(new URL(req.url ?? '/', origin), { method, headers, body });
}

async function send(res: ServerResponse, response: Response): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, key) => {
    headers[key] = key === 'set-cookie' ? response.headers.getSetCookie() : value;
  });
  res.writeHead(response.status, headers);
  res.end(response.body ? Buffer.from(await response.arrayBuffer()) : undefined);
}

/** Serves `handler` on `host` (default 127.0.0.1) and `port` (default: a free one); a handler that throws answers 500. */
export async function serveFetchHandler(handler: FetchHandler, options: { port?: number; host?: string } = {}): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  let origin = '';
  const server = createServer((req, res) => {
    toRequest(req, origin)
      .then((r) => handler(r))
      .then((response) => send(res, response))
      .catch((error: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String(error));
      });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, host, resolve));
  const port = (server.address() as AddressInfo).port;
  origin = `http://${host}:${port}`;
  return {
    url: origin,
    port,
    server,
    close: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}
