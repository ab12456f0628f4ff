/**
 * A response's body in one buffer, copied once. The `webdav` client fetches through node-fetch,
 * whose `arrayBuffer()` gathers the body's pieces, concatenates them (`Buffer.concat`), then copies
 * the result again (`ArrayBuffer.prototype.slice`, node-fetch 3's body.js): each 16 MiB range a
 * download reads was held three times over for a moment, and a download runs several at once.
 * Where the server declares the length and nothing decodes the body on the way (no
 * Content-Encoding: node-fetch would inflate it to another length), the pieces go straight into a
 * buffer of that length. Otherwise, and for a declared length past `MAX_PREALLOCATED` (a server's
 * claim allocates nothing it does not send), its pieces are gathered, or it is read as before
 * where the caller sets no limit. A body that is a Node stream (a read sent directly,
 * direct-get.ts) is read by its events, not an async iterator.
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

/**
 * The body of the answer to a `method` request, or its first `limit` bytes: past them the rest is
 * not read and the connection is closed. A caller that needs a range sets the limit to it, so a
 * server that ignores the Range and sends a whole pack, or a body with no end, costs at most the
 * range (such a body used to be gathered whole, whatever its size).
 */
export async function readBody(response: FetchedBody, method: string, limit = Infinity): Promise<Buffer> {
  const declared = declaredLength(response, method);
  if (!response.body || (declared === undefined && limit === Infinity)) return Buffer.from(await response.arrayBuffer());
  if (declared === undefined) {
    const sink = gathering(limit);
    await pump(response.body, sink);
    return Buffer.concat(sink.pieces, sink.taken);
  }
  const out = Buffer.allocUnsafe(Math.min(declared, limit));
  const sink = filling(out, declared <= limit);
  await pump(response.body, sink);
  if (sink.taken < out.length) throw new Error(`the body ended after ${sink.taken} of the ${declared} bytes its Content-Length declares`);
  return out;
}

/** Where the pieces of a body go. */
interface Sink {
  /** Takes what it needs of a piece; answers whether it wants more. May throw (a body longer than declared): the body is then given up with that error. */
  take(piece: Uint8Array): boolean;
  /** Bytes taken so far. */
  readonly taken: number;
}

/** Copies the body into `out`. `exact`: `out` has the declared length, and a longer body is an error; otherwise its length is a limit, where reading stops. */
function filling(out: Buffer, exact: boolean): Sink {
  let taken = 0;
  return {
    take(piece) {
      const room = out.length - taken;
      if (exact && piece.byteLength > room) throw new Error(`the body is longer than the ${out.length} bytes its Content-Length declares`);
      const used = Math.min(room, piece.byteLength);
      out.set(used === piece.byteLength ? piece : piece.subarray(0, used), taken);
      taken += used;
      return exact || taken < out.length;
    },
    get taken() {
      return taken;
    },
  };
}

/** Keeps the pieces of a body of unknown length (none declared, past MAX_PREALLOCATED, or decoded on the way), up to `limit` bytes. */
function gathering(limit: number): Sink & { pieces: Uint8Array[] } {
  const pieces: Uint8Array[] = [];
  let taken = 0;
  return {
    pieces,
    take(piece) {
      const used = Math.min(limit - taken, piece.byteLength);
      pieces.push(used === piece.byteLength ? piece : piece.subarray(0, used));
      taken += used;
      return taken < limit;
    },
    get taken() {
      return taken;
    },
  };
}

/** A Node stream (direct-get.ts hands the response itself), read by its events. */
interface ReadableBody extends AsyncIterable<Uint8Array> {
  on(event: 'data', fn: (piece: Uint8Array) => void): unknown;
  on(event: 'end' | 'close', fn: () => void): unknown;
  on(event: 'error', fn: (e: Error) => void): unknown;
  destroy(e?: Error): unknown;
}
const isReadable = (body: AsyncIterable<Uint8Array>): body is ReadableBody => typeof (body as Partial<ReadableBody>).on === 'function' && typeof (body as Partial<ReadableBody>).destroy === 'function';

/** Feeds the body's pieces to `sink` until it ends or the sink wants no more. */
async function pump(body: AsyncIterable<Uint8Array>, sink: Sink): Promise<void> {
  if (isReadable(body)) return pumpEvents(body, sink);
  // Leaving the loop early ends the iterator, which destroys node-fetch's stream.
  for await (const piece of body) if (!sink.take(piece)) break;
}

/**
 * `pump` by the stream's own events: an async iterator costs a promise and a turn of the event
 * loop for each 64 KiB piece, 13,000 of them in a download of the benchmark library.
 */
function pumpEvents(body: ReadableBody, sink: Sink): Promise<void> {
  return new Promise((resolve, reject) => {
    let done = false;
    body.on('data', (piece) => {
      if (done) return;
      try {
        if (sink.take(piece)) return;
        done = true;
        body.destroy(); // the rest is not wanted: the socket goes, not back to the agent
        resolve();
      } catch (e) {
        done = true;
        body.destroy(e as Error);
      }
    });
    body.on('end', () => resolve());
    body.on('error', reject);
    // Destroyed without an error (a response whose socket closed early): what came is all there is.
    body.on('close', () => resolve());
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
