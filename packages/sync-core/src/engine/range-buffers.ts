/**
 * Buffers a download reads its ranges into (`get`'s `into`, storage/contract.ts), used again once
 * every chunk read into one is written. A range read into new memory lives until a full garbage
 * collection: it is array-buffer memory, counted against the heap's tight limit
 * (cli/bin/v8-heap.mjs), and promoted before it dies. A first download of the benchmark library
 * from a folder ran 39 full collections for its 806 ranges, a fifth of its CPU (session 80).
 *
 * Each buffer lent is held once per use of its bytes under way: the read itself (and each writer
 * that shares it), each chunk kept read ahead, each chunk handed to a writer. Its last release
 * gives it back. A use nobody releases (a caller that does not know of buffers, a failed write)
 * only keeps the buffer from coming back: the collector frees it as before.
 *
 * Safe by construction against a release too early: a buffer is given back transferred
 * (model/release-buffer.ts), which detaches every view of it. A view kept past its
 * release then holds 0 bytes, never the next range's; the materializer counts what it wrote
 * against the version's size (local/materialize.ts), so such a bug fails a file instead of
 * writing wrong bytes.
 */
import { transferred } from '../model/release-buffer.js';

export class RangeBuffers {
  /** Buffers given back, for the next ranges. */
  private readonly free: Uint8Array[] = [];
  private freeBytes = 0;
  /** Uses under way of each lent buffer's bytes, by its memory. */
  private readonly holds = new WeakMap<ArrayBufferLike, number>();

  constructor(
    /** The least a buffer is made: ranges up to this share buffers. */
    private readonly size: number,
    /** The most memory kept in buffers given back and not lent again yet. */
    private readonly keep: number,
  ) {}

  /** A buffer for a range of `length` bytes: one given back that holds it, or a new one. */
  lend(length: number): Uint8Array {
    let best = -1;
    for (let i = 0; i < this.free.length; i++) {
      const n = this.free[i]!.byteLength;
      if (n >= length && (best < 0 || n < this.free[best]!.byteLength)) best = i;
    }
    if (best < 0) return new Uint8Array(Buffer.allocUnsafeSlow(Math.max(length, this.size)).buffer);
    const [buffer] = this.free.splice(best, 1);
    this.freeBytes -= buffer!.byteLength;
    return buffer!;
  }

  /**
   * A read into `lent` answered `bytes`. Where they are `lent`'s memory they are held `uses` times
   * (the read's, and its sharers'); where the storage read elsewhere, `lent` comes back at once.
   * A read that failed never comes here: its buffer is dropped, since nothing says when a storage
   * that gave up stopped writing to it.
   */
  filled(lent: Uint8Array, bytes: Uint8Array, uses: number): void {
    if (bytes.buffer === lent.buffer) this.holds.set(lent.buffer, uses);
    else this.giveBack(lent.buffer as ArrayBuffer);
  }

  /** One more use of `view`'s bytes (nothing if they are not a lent buffer's). */
  hold(view: Uint8Array): void {
    const n = this.holds.get(view.buffer);
    if (n !== undefined) this.holds.set(view.buffer, n + 1);
  }

  /** One use of `view`'s bytes is over: the last gives its buffer back. */
  release(view: Uint8Array): void {
    const n = this.holds.get(view.buffer);
    if (n === undefined) return;
    if (n > 1) return void this.holds.set(view.buffer, n - 1);
    this.holds.delete(view.buffer);
    this.giveBack(view.buffer as ArrayBuffer);
  }

  private giveBack(buffer: ArrayBuffer): void {
    const moved = transferred(buffer);
    if (this.freeBytes + moved.byteLength > this.keep) return;
    this.free.push(new Uint8Array(moved));
    this.freeBytes += moved.byteLength;
  }
}
