/**
 * A response's body in one buffer, copied once. The `webdav` client fetches through node-fetch,
 * whose `arrayBuffer()` gathers the body's pieces, concatenates them (`Buffer.concat`), then copies
 * the result again (`ArrayBuffer.prototype.slice`, node-fetch 3's body.js): each 16 MiB range a
 * download reads was held three times over for a moment, and a download runs several at once.
 * Where the server declares the length and nothing decodes the body on the way (no
 * Content-Encoding: node-fetch would inflate it to another length), the pieces go straight into a
 * buffer of that length. Otherwise, and for a declared length past `MAX_PREALLOCATED` (a server's
 * claim allocates nothing it does not send), it is read as before. A body that is a Node stream
 * (a read sent directly, direct-get.ts) is read by its events, not an async iterator.
 */

/** What is read of a fetch response: its status, headers and body as a stream of pieces. */
export interface FetchedBody {
  status: number;
  headers: { get(name: string): string | null };
  body?: AsyncIterable<Uint8Array> | null;
  arrayBuffer(): Promise<ArrayBuffer>;
}

/** The largest declared length allocated up front: twice the largest pack this release writes (32 MiB). */
export const MAX_PREALLOCATED = 64 * 1024 * 1024;

/** The body of the answer to a `method` request. */
export async function readBody(response: FetchedBody, method: string): Promise<Buffer> {
  const declared = declaredLength(response, method);
  if (declared === undefined || !response.body) return Buffer.from(await response.arrayBuffer());
  const out = Buffer.allocUnsafe(declared);
  const at = isReadable(response.body) ? await fillFromEvents(response.body, out) : await fillFromPieces(response.body, out);
  if (at !== declared) throw new Error(`the body ended after ${at} of the ${declared} bytes its Content-Length declares`);
  return out;
}

/** A Node stream (direct-get.ts hands the response itself), read by its events. */
interface ReadableBody extends AsyncIterable<Uint8Array> {
  on(event: 'data', fn: (piece: Uint8Array) => void): unknown;
  on(event: 'end' | 'close', fn: () => void): unknown;
  on(event: 'error', fn: (e: Error) => void): unknown;
  destroy(e?: Error): unknown;
}
const isReadable = (body: AsyncIterable<Uint8Array>): body is ReadableBody => typeof (body as Partial<ReadableBody>).on === 'function' && typeof (body as Partial<ReadableBody>).destroy === 'function';

/** Copies the pieces into `out`; returns how many bytes came. */
async function fillFromPieces(body: AsyncIterable<Uint8Array>, out: Buffer): Promise<number> {
  let at = 0;
  for await (const piece of body) {
    if (at + piece.byteLength > out.length) throw new Error(`the body is longer than the ${out.length} bytes its Content-Length declares`);
    out.set(piece, at);
    at += piece.byteLength;
  }
  return at;
}

/**
 * `fillFromPieces` by the stream's own events: an async iterator costs a promise and a turn of
 * the event loop for each 64 KiB piece, 13,000 of them in a download of the benchmark library.
 */
function fillFromEvents(body: ReadableBody, out: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    let at = 0;
    body.on('data', (piece) => {
      if (at + piece.byteLength > out.length) return void body.destroy(new Error(`the body is longer than the ${out.length} bytes its Content-Length declares`));
      out.set(piece, at);
      at += piece.byteLength;
    });
    body.on('end', () => resolve(at));
    body.on('error', reject);
    // Destroyed without an error (a response whose socket closed early): what came is all there is.
    body.on('close', () => resolve(at));
  });
}

/**
 * The body's length as the server declares it, where it is the length of what will be read, and
 * small enough to allocate. The answer to a HEAD, a 204 and a 304 have no body whatever length
 * they declare (RFC 9110, §6.4.1).
 */
function declaredLength(response: FetchedBody, method: string): number | undefined {
  if (method === 'HEAD' || response.status === 204 || response.status === 304) return undefined;
  if (!uncoded(response.headers.get('content-encoding'))) return undefined;
  const text = response.headers.get('content-length');
  if (text === null || !/^\s*\d+\s*$/.test(text)) return undefined;
  const length = Number(text);
  return length <= MAX_PREALLOCATED ? length : undefined;
}

/** Whether a Content-Encoding leaves the body as sent: none, or `identity`. */
export const uncoded = (coding: string | null | undefined): boolean => coding === null || coding === undefined || coding.trim().toLowerCase() === 'identity';
