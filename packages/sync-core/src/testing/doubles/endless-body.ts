/**
 * A real HTTP server on loopback for testing what a read takes from a hostile or broken server:
 * it can offer an object's bytes with no end (or up to GIVES_UP), and records, for each answer,
 * how many bytes it wrote before the client closed it. An adapter's tests point its client at
 * this server and check that a read took what it asked for and left the rest unsent.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Where the server stops writing a body with no end: far past anything a read should take. */
export const GIVES_UP = 512 * 1024 * 1024;
const PIECE = 64 * 1024;

/** An answer the server gave: its request's URL, the body bytes it wrote, and when the response closed. */
export interface HostileAnswer {
  /** The request's URL (path and query). */
  url: string;
  /** Body bytes written so far (through `writeEndless`). */
  written: number;
  /** Settles when the response has closed: ended, or cut off by the client. */
  closed: Promise<void>;
}

/** How the server answers a request; `answer` counts what it writes through `writeEndless`. */
export type HostileHandler = (req: IncomingMessage, res: ServerResponse, answer: HostileAnswer) => void;

/** A server started by `startHostileServer`. */
export interface HostileServer {
  /** `http://127.0.0.1:port` */
  url: string;
  /** The answers since the last `answering`, in order. */
  answers: HostileAnswer[];
  /** Answers every request from now on with `handler` (and forgets earlier answers). */
  answering(handler: HostileHandler): void;
  /** Closes every connection, then the server. */
  close(): Promise<void>;
}

/**
 * The object's byte at any offset, however far the server goes: a hash of the offset (murmur3's
 * finalizer), so that compression cannot shrink it and the bytes on the wire are the bytes offered.
 */
export function endlessByteAt(i: number): number {
  let h = Math.imul(i ^ (i >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) & 0xff;
}

/** `length` of the object's bytes from `offset`. */
export function endlessBytes(offset: number, length: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) out[i] = endlessByteAt(offset + i);
  return out;
}

/** Writes the object from `from` on into `out`, with backpressure, until the client goes or GIVES_UP; counts it in `answer`. */
export function writeEndless(out: NodeJS.WritableStream & { destroyed?: boolean }, answer: HostileAnswer, from = 0): void {
  let offset = from;
  const more = () => {
    while (!out.destroyed && answer.written < GIVES_UP) {
      const piece = endlessBytes(offset, PIECE);
      offset += PIECE;
      answer.written += PIECE;
      if (!out.write(piece)) return void out.once('drain', more);
    }
    if (!out.destroyed) out.end();
  };
  more();
}

/** Headers of one connection, not passed on (RFC 9110 §7.6.1), and lengths the forwarder sets itself. */
const HOP_BY_HOP = new Set(['host', 'connection', 'keep-alive', 'transfer-encoding', 'content-length', 'content-encoding', 'upgrade']);

/**
 * A handler passing the request on to the real server at `origin()` (an emulator, say) and its
 * answer back, for the requests a test leaves alone while it answers others itself.
 */
export function forwardTo(origin: () => string): HostileHandler {
  return (req, res) => {
    const pieces: Buffer[] = [];
    req.on('data', (p: Buffer) => pieces.push(p));
    req.on('end', async () => {
      try {
        const headers = Object.entries(req.headers).filter((e): e is [string, string] => typeof e[1] === 'string' && !HOP_BY_HOP.has(e[0]));
        const body = pieces.length > 0 ? Buffer.concat(pieces) : undefined;
        const answer = await fetch(`${origin()}${req.url}`, { method: req.method, headers, body, redirect: 'manual' });
        const out = Buffer.from(await answer.arrayBuffer());
        const passed = Object.fromEntries([...answer.headers].filter(([name]) => !HOP_BY_HOP.has(name)));
        res.writeHead(answer.status, { ...passed, 'Content-Length': out.byteLength }).end(out);
      } catch (e) {
        res.writeHead(502).end(String(e));
      }
    });
  };
}

/** An endless answer `answerEndlessly` gives (`status`, `headers`), its body starting with `start`. */
export interface EndlessAnswer {
  /** Its HTTP status. */
  status: number;
  /** Its headers besides a JSON content type (Retry-After, say). */
  headers?: Record<string, string>;
  /** The body's first bytes (the opening of a JSON page, say), before the endless ones. */
  start?: string;
}

/**
 * Has `server` answer the requests `which` picks with `answer`'s body that has no end, and every
 * other one with `otherwise` (`forwardTo` an emulator, say). Returns the endless answer given last.
 */
export function answerEndlessly(server: HostileServer, which: (req: IncomingMessage) => boolean, otherwise: HostileHandler, answer: EndlessAnswer): () => HostileAnswer {
  let endless: HostileAnswer | undefined;
  server.answering((req, res, given) => {
    if (!which(req)) return otherwise(req, res, given);
    req.resume(); // its body (an upload's) is not read
    endless = given;
    res.writeHead(answer.status, { 'Content-Type': 'application/json', ...answer.headers }).write(answer.start ?? '');
    writeEndless(res, given);
  });
  return () => {
    if (!endless) throw new Error('no request was given the endless answer');
    return endless;
  };
}

/** Starts the server on a free port of 127.0.0.1; until told (`answering`), it answers 500. */
export async function startHostileServer(): Promise<HostileServer> {
  let handler: HostileHandler = (_req, res) => void res.writeHead(500).end();
  const answers: HostileAnswer[] = [];
  const server = createServer((req, res) => {
    const answer: HostileAnswer = { url: req.url ?? '', written: 0, closed: new Promise((r) => res.on('close', r)) };
    answers.push(answer);
    res.on('error', () => undefined); // a client that goes mid-body is what is tested
    handler(req, res, answer);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    answers,
    answering(next) {
      handler = next;
      answers.length = 0;
    },
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
