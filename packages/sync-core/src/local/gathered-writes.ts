/**
 * A file's chunks written in order, small ones gathered into one `writev`: a database arrives as
 * 4 KiB pages, and a write per page was 18,057 system calls for the benchmark's database (230-310
 * ms of a download's main thread in a profile). At most `MAX_BYTES` (or `MAX_BUFFERS`) wait. Each
 * chunk written goes to `written` (its buffer may then take another range: range-buffers.ts), and
 * the bytes written are counted.
 */
import { writeSync, writevSync } from 'node:fs';

const MAX_BYTES = 1024 * 1024;
/** Below Linux's IOV_MAX (1,024): one writev takes them all. */
const MAX_BUFFERS = 256;

export class GatheredWrites {
  private readonly waiting: Uint8Array[] = [];
  private bytes = 0;
  /** Bytes written so far. */
  total = 0;

  constructor(
    private readonly fd: number,
    private readonly written?: (chunk: Uint8Array) => void,
  ) {}

  add(chunk: Uint8Array): void {
    this.waiting.push(chunk);
    this.bytes += chunk.byteLength;
    if (this.bytes >= MAX_BYTES || this.waiting.length >= MAX_BUFFERS) this.flush();
  }

  /** Everything added is written (whole: a short write goes on where it stopped). */
  flush(): void {
    const { waiting, fd } = this;
    let written = waiting.length > 1 ? writevSync(fd, waiting) : 0;
    for (const chunk of waiting) {
      if (written >= chunk.byteLength) {
        written -= chunk.byteLength;
      } else {
        for (let off = written; off < chunk.byteLength;) off += writeSync(fd, chunk, off);
        written = 0;
      }
      this.total += chunk.byteLength;
      this.written?.(chunk);
    }
    waiting.length = 0;
    this.bytes = 0;
  }
}
