/**
 * Chunks a ranged read brought in before their writer asked for them (chunk-fetcher.ts). A read
 * for one chunk goes on over the planned chunks after it in the pack; each of those waits here,
 * as its stored bytes, until its writer takes it, so no byte of a pack is read twice while the
 * files that need it are being written (a cache of the last few ranges read 1.5 times the
 * repository in a first download of the benchmark library: writers several files apart evicted
 * each other's ranges, then read them again).
 *
 * Bounded: reads go ahead only as far as the budget has room (chunk-fetcher.ts), and a chunk
 * that would exceed it is not kept (the furthest ahead, needed last). A planned chunk may never be
 * asked for (its file was already there, or came from a local copy): one still waiting after many
 * later reads is let go, so such chunks cannot fill the budget for good. A chunk that went is read
 * again if its writer does ask after all: slower, never wrong.
 */
/** A chunk still waiting after this many later reads is taken for one nobody will ask for. */
const STALE_AFTER_READS = 64;

export class ReadAhead {
  /** Planned uses not yet made, per chunk (a chunk two files hold is asked for twice). */
  private readonly uses = new Map<string, number>();
  /** Stored bytes waiting for their writer, oldest first (a Map keeps insertion order). */
  private readonly waiting = new Map<string, { pack: string; offset: number; stored: Uint8Array; read: number }>();
  private bytes = 0;
  /** Room promised to reads under way, for the chunks they will bring. */
  private reserved = 0;
  private reads = 0;

  constructor(
    readonly budget: number,
    /** Told of each chunk kept and let go, whose bytes may be a lent buffer's (range-buffers.ts). */
    private readonly buffers?: { hold(stored: Uint8Array): void; release(stored: Uint8Array): void },
  ) {}

  plan(hash: string): void {
    this.uses.set(hash, (this.uses.get(hash) ?? 0) + 1);
  }

  /** Whether a read should bring this chunk in: a use is still planned and it is not here yet. */
  wants(hash: string): boolean {
    return (this.uses.get(hash) ?? 0) > 0 && !this.waiting.has(hash);
  }

  /** A ranged read starts: chunks that waited through many reads are let go. */
  reading(): void {
    this.reads++;
    for (const [hash, w] of this.waiting) {
      if (w.read >= this.reads - STALE_AFTER_READS) break; // oldest first: the rest are younger
      this.drop(hash);
    }
  }

  /** Holds room for what a read under way will bring (concurrent reads would each see it free). */
  reserve(bytes: number): void {
    this.reserved += bytes;
  }

  /** The read is over: what it reserved is free again, for what it brought to be kept. */
  release(bytes: number): void {
    this.reserved -= bytes;
  }

  /** Keeps a chunk just read for its writer, if the budget has room for it. */
  keep(hash: string, pack: string, offset: number, stored: Uint8Array): void {
    if (!this.wants(hash) || stored.byteLength > this.room) return;
    this.waiting.set(hash, { pack, offset, stored, read: this.reads });
    this.bytes += stored.byteLength;
    this.buffers?.hold(stored);
  }

  /** Whether no use of the chunk is planned beyond the one under way (or it was never planned). */
  lastUse(hash: string): boolean {
    return (this.uses.get(hash) ?? 0) <= 1;
  }

  /** The stored bytes of a chunk read ahead from this very place, if it is here. */
  peek(hash: string, pack: string, offset: number): Uint8Array | undefined {
    const w = this.waiting.get(hash);
    return w && w.pack === pack && w.offset === offset ? w.stored : undefined;
  }

  /** One planned use of the chunk is over (served, or failed): its bytes go when none is left. */
  used(hash: string): void {
    const left = (this.uses.get(hash) ?? 0) - 1;
    if (left > 0) return void this.uses.set(hash, left);
    this.uses.delete(hash);
    this.drop(hash);
  }

  /** How much more may be read ahead now. */
  get room(): number {
    return Math.max(0, this.budget - this.bytes - this.reserved);
  }

  private drop(hash: string): void {
    const w = this.waiting.get(hash);
    if (!w) return;
    this.waiting.delete(hash);
    this.bytes -= w.stored.byteLength;
    this.buffers?.release(w.stored);
  }
}
