/**
 * A response's body read into one buffer, and no more of it than the caller uses.
 *
 * - `declared`: the length the server declares (Content-Length), where it is the length of what
 *   is read (not of a coded body). The body must add up to it: shorter is a read cut short,
 *   longer a broken answer, both errors, never a buffer of the wrong length. Up to
 *   PREALLOCATE_AT_MOST its buffer is allocated at once and the pieces copied straight in; past
 *   that, a server's claim allocates nothing it does not send (the pieces are gathered).
 * - `limit`: the most bytes the caller uses (the range it asked for, say). Reading stops there and
 *   the stream is destroyed, its connection with it: a server that ignores a Range and sends a
 *   whole object, claims a length far past it, or sends a body with no end, costs the limit.
 *
 * Throws plain errors (with why); the adapter maps them to its own (a read cut short is
 * Unavailable). A Node stream is read by its events: an async iterator costs a promise and a turn
 * of the event loop for each 64 KiB piece, 13,000 of them in a download of the benchmark library.
 */

/** The largest declared length allocated up front: twice the largest pack this release writes (32 MiB). */
export const PREALLOCATE_AT_MOST = 64 * 1024 * 1024;

/** What bounds a body's read (`readBodyWithin`). */
export interface BodyLimits {
  /** The length the server declares for what is read; undefined when it declares none that holds. */
  declared?: number;
  /** The most bytes used. Default: all of them. */
  limit?: number;
}

/** The body, up to `limit` bytes (above). */
export async function readBodyWithin(body: AsyncIterable<Uint8Array>, { declared, limit = Infinity }: BodyLimits): Promise<Buffer> {
  const sink = new BodySink(declared, limit);
  await pump(body, sink);
  if (declared !== undefined && sink.taken < sink.size) throw new Error(`the body ended after ${sink.taken} of the ${declared} bytes its Content-Length declares`);
  return sink.bytes();
}

/** Where the pieces of a body go: what is kept of them, up to `size`. */
class BodySink {
  /** The most bytes kept: the declared length, or the limit where it is less. */
  readonly size: number;
  /** A body longer than `size` is an error (it is the declared length), rather than cut off there. */
  private readonly exact: boolean;
  private readonly out: Buffer | undefined;
  private readonly pieces: Uint8Array[] = [];
  taken = 0;

  constructor(declared: number | undefined, limit: number) {
    this.exact = declared !== undefined && declared <= limit;
    this.size = Math.min(declared ?? Infinity, limit);
    this.out = this.size <= PREALLOCATE_AT_MOST ? Buffer.allocUnsafe(this.size) : undefined;
  }

  /** Takes what it needs of a piece; answers whether it wants more. Throws for a body longer than declared. */
  take(piece: Uint8Array): boolean {
    const room = this.size - this.taken;
    if (this.exact && piece.byteLength > room) throw new Error(`the body is longer than the ${this.size} bytes its Content-Length declares`);
    const used = Math.min(room, piece.byteLength);
    const part = used === piece.byteLength ? piece : piece.subarray(0, used);
    if (this.out) this.out.set(part, this.taken);
    else this.pieces.push(part);
    this.taken += used;
    return this.exact || this.taken < this.size;
  }

  bytes(): Buffer {
    if (!this.out) return Buffer.concat(this.pieces, this.taken);
    return this.taken === this.out.length ? this.out : this.out.subarray(0, this.taken);
  }
}

/** A Node stream (an http response), read by its events. */
interface ReadableBody extends AsyncIterable<Uint8Array> {
  on(event: 'data', fn: (piece: Uint8Array) => void): unknown;
  on(event: 'end' | 'close', fn: () => void): unknown;
  on(event: 'error', fn: (e: Error) => void): unknown;
  destroy(e?: Error): unknown;
}
const isReadable = (body: AsyncIterable<Uint8Array>): body is ReadableBody => typeof (body as Partial<ReadableBody>).on === 'function' && typeof (body as Partial<ReadableBody>).destroy === 'function';

/** Feeds the body's pieces to `sink` until it ends or the sink wants no more. */
async function pump(body: AsyncIterable<Uint8Array>, sink: BodySink): Promise<void> {
  if (isReadable(body)) return pumpEvents(body, sink);
  const pieces = body[Symbol.asyncIterator]();
  for (;;) {
    const next = await pieces.next();
    if (next.done) return;
    let more: boolean;
    try {
      more = sink.take(next.value);
    } catch (e) {
      giveUp(pieces);
      throw e;
    }
    if (!more) return giveUp(pieces);
  }
}

/**
 * Ends an iterator early, which cancels the stream behind it (node-fetch's, fetch's), without
 * waiting for the cancel: `for await`'s `break` waits, and a web stream's cancel may not settle
 * (msw's mocked bodies, once read to their end, never did).
 */
function giveUp(pieces: AsyncIterator<Uint8Array>): void {
  void Promise.resolve(pieces.return?.()).catch(() => undefined);
}

function pumpEvents(body: ReadableBody, sink: BodySink): Promise<void> {
  return new Promise((resolve, reject) => {
    let done = false;
    body.on('data', (piece) => {
      if (done) return;
      try {
        if (sink.take(piece)) return;
        done = true;
        body.destroy(); // the rest is not wanted: the connection goes, not back to its agent
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
