/**
 * Raw deflate and inflate of many small inputs with one preset dictionary (a pack's database pages
 * and notes, codec 4), through one zlib stream per dictionary, reset between inputs, instead of a
 * stream made per input (`deflateRawSync`, `inflateRawSync`). Each stream made is a Transform
 * object, an init (deflate's window and hash tables, about 200 KiB, allocated and cleared) and a
 * handle the garbage collector finalizes later: for a 4 KiB page that was a quarter of deflate's
 * time and most of inflate's. Measured on the benchmark's 70 MiB database alone (Node 20, four runs
 * each, alternating): upload 3.07-3.41 s against 3.51-3.99; 18,000 pages inflated in 0.25-0.38 s
 * against 0.63-1.39. A reset sets the dictionary again: the bytes are the same
 * (test/reused-zlib.test.ts compares them with `deflateRawSync`'s).
 *
 * Node has no public way to use a stream again after `Z_FINISH` (`processChunkSync` closes it), so
 * this drives the stream's handle as node:zlib's `processChunkSync` does (`writeSync`, then
 * `_writeState`: output and input left), the same on Node 20, 22 and 24. A stream that failed is
 * destroyed by node:zlib at once (its handle closed: using it again would abort the process) and is
 * never used again; where a runtime lacks that shape, the one-shot functions are used. Nothing but
 * time depends on this.
 */
import * as zlib from 'node:zlib';
import { exactOutput } from './output-buffers.js';

interface ZlibHandle {
  writeSync(flush: number, input: Uint8Array, inOff: number, inLen: number, out: Uint8Array, outOff: number, outLen: number): void;
  reset(): void;
}
interface ZlibInternals {
  _handle?: ZlibHandle | null;
  _writeState?: Uint32Array;
}

/** A node:zlib stream (deflate's, inflate's, or zstd's: reused-zstd.ts) driven here input by input. */
export interface Stream {
  readonly destroyed: boolean;
  on(event: 'error', listener: () => void): unknown;
}
/** Options as a key: a stream serves only inputs that would get the very same options. */
const keyOf = (o: zlib.ZlibOptions) => `${o.level}/${o.windowBits ?? 15}/${o.memLevel ?? 8}`;
/** Streams by dictionary (a pack's, and they go with it), then by kind and options. */
const kept = new WeakMap<Uint8Array, Map<string, Stream>>();

/** `deflateRawSync(bytes, { ...options, dictionary })`, through a stream kept for `dictionary`. */
export function deflateRawWithDictionary(bytes: Uint8Array, options: zlib.ZlibOptions, dictionary: Uint8Array): Buffer {
  const once = () => zlib.deflateRawSync(bytes, { ...options, dictionary });
  const stream = streamFor(dictionary, `deflate/${keyOf(options)}`, () => zlib.createDeflateRaw({ ...options, dictionary }));
  if (!stream) return once();
  // Room for stored blocks (deflate's worst case: 5 bytes a 16 KiB block) and the stream's end.
  // A failure is not expected of deflate: the error, if any, is the one-shot's to give.
  return finishWhole(stream, bytes, bytes.byteLength + (bytes.byteLength >> 10) + 64) ?? once();
}

/**
 * All of `bytes` through `stream` to the end of its output (`finish`: zlib's `Z_FINISH` or zstd's
 * `ZSTD_e_end`), written `room` bytes at a time, then the stream reset for the next input;
 * undefined when the codec failed.
 */
export function finishWhole(stream: Stream, bytes: Uint8Array, room: number, finish?: number): Buffer | undefined {
  const parts: Buffer[] = [];
  for (let from = 0; ;) {
    const ran = writeFinish(stream, bytes, from, Buffer.allocUnsafe(room), finish);
    if (ran === 'failed') return undefined;
    parts.push(ran.out);
    from = bytes.byteLength - ran.inLeft;
    if (ran.outLeft > 0 && ran.inLeft === 0) break;
  }
  reset(stream);
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}

/** Exactly `length` bytes inflated from `payload` with `dictionary`, or undefined (damaged, hostile, another dictionary). */
export function inflateRawWithDictionary(payload: Uint8Array, length: number, dictionary: Uint8Array): Uint8Array | undefined {
  const stream = streamFor(dictionary, 'inflate', () => zlib.createInflateRaw({ dictionary }));
  if (!stream) return inflateOnce(payload, length, dictionary);
  // One byte of room past `length`: output that fills it is longer than the chunk, and rejected.
  const ran = writeFinish(stream, payload, 0, Buffer.allocUnsafe(length + 1));
  if (ran === 'failed') return undefined; // zlib's error (a damaged or truncated stream): it destroyed the stream
  reset(stream);
  // Bytes after the deflate stream's end are left unread, as the one-shot inflate leaves them.
  return ran.out.byteLength === length ? ran.out : undefined;
}

/** The one-shot inflate (bounded by `length`). */
export function inflateOnce(payload: Uint8Array, length: number, dictionary: Uint8Array): Uint8Array | undefined {
  try {
    const out = zlib.inflateRawSync(payload, { ...exactOutput(length), dictionary });
    return out.byteLength === length ? out : undefined;
  } catch {
    return undefined;
  }
}

/** The stream kept for `dictionary` and `key`, made if there is none or the last one failed; undefined where it cannot be driven. */
function streamFor(dictionary: Uint8Array, key: string, make: () => Stream): Stream | undefined {
  let byKey = kept.get(dictionary);
  if (!byKey) kept.set(dictionary, (byKey = new Map()));
  const stream = keptStream(byKey.get(key), make);
  byKey.set(key, stream);
  return drivable(stream) ? stream : undefined;
}

/** `kept`, or a new stream where there is none or it failed (node:zlib destroyed it). */
export function keptStream<S extends Stream>(kept: S | undefined, make: () => S): S {
  if (kept && !kept.destroyed) return kept;
  const stream = make();
  stream.on('error', () => undefined); // node:zlib emits a failure on the next tick too: seen here at once (`destroyed`)
  return stream;
}

/** Whether this runtime's stream has the internal shape driven here. */
export function drivable(stream: Stream): boolean {
  const { _handle: handle, _writeState: state } = stream as unknown as ZlibInternals;
  return typeof handle?.writeSync === 'function' && typeof handle.reset === 'function' && state instanceof Uint32Array;
}

/**
 * One finishing write of `input` from `from` into `out` (zlib's `Z_FINISH`, or zstd's
 * `ZSTD_e_end`); 'failed' when the codec failed (node:zlib destroyed the stream then).
 */
export function writeFinish(stream: Stream, input: Uint8Array, from: number, out: Buffer, finish: number = zlib.constants.Z_FINISH): { out: Buffer; outLeft: number; inLeft: number } | 'failed' {
  const { _handle: handle, _writeState: state } = stream as unknown as Required<ZlibInternals>;
  handle!.writeSync(finish, input, from, input.byteLength - from, out, 0, out.byteLength);
  if (stream.destroyed) return 'failed';
  const [outLeft, inLeft] = [state[0]!, state[1]!];
  return { out: out.subarray(0, out.byteLength - outLeft), outLeft, inLeft };
}

/** Ready for the next input as a new stream would be (the dictionary set again); a reset that fails destroys it, and the next input gets a new one. */
export function reset(stream: Stream): void {
  (stream as unknown as Required<ZlibInternals>)._handle!.reset();
}
