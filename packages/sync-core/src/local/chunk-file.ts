/** Reads a file as a stream of chunks (content-defined, or page-aligned for SQLite) with bounded memory. */
import { readFileSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { cdcBoundaries, DEFAULT_CHUNKING, isSqliteHeader, sqlitePageSize, type ChunkingParams } from '../engine/chunker.js';

const READ_BLOCK = 8 * 1024 * 1024;

// Files up to this size are read in one synchronous call: most of a library is small files, and
// five thread-pool round trips (open, stat, read, read, close) cost more than the read itself.
const SMALL_FILE = 256 * 1024;

export async function* chunkFile(path: string, p: ChunkingParams = DEFAULT_CHUNKING): AsyncGenerator<Uint8Array> {
  if (statSync(path).size <= SMALL_FILE) {
    const whole = readFileSync(path);
    if (whole.length <= SMALL_FILE) {
      yield* chunkWhole(whole, p);
      return;
    }
  }
  const fh = await open(path, 'r');
  try {
    // Small files (most of a library) get a read buffer of their size, not a full block.
    let left = (await fh.stat()).size + 1;
    let buffer: Buffer = Buffer.alloc(0);
    let eof = false;
    let pageSize = 0; // > 0 once the file is known to be SQLite
    let first = true;
    while (!eof || buffer.length > 0) {
      if (!eof && buffer.length < p.maxSize * 2) {
        const size = Math.max(1, Math.min(READ_BLOCK, left));
        const block = Buffer.allocUnsafe(size);
        const { bytesRead } = await fh.read(block, 0, size, null);
        left = Math.max(1, left - bytesRead); // a file that grows while read still reads to its end
        if (bytesRead === 0) eof = true;
        else buffer = buffer.length ? Buffer.concat([buffer, block.subarray(0, bytesRead)]) : block.subarray(0, bytesRead);
        if (first && buffer.length >= 100) {
          first = false;
          if (isSqliteHeader(buffer)) pageSize = sqlitePageSize(buffer);
        }
        if (!eof && buffer.length < p.maxSize * 2) continue;
      }
      if (buffer.length === 0) break;
      if (pageSize > 0) {
        const whole = eof ? buffer.length : buffer.length - (buffer.length % pageSize);
        for (let off = 0; off < whole; off += pageSize) yield Uint8Array.from(buffer.subarray(off, Math.min(off + pageSize, whole)));
        buffer = buffer.subarray(whole);
        continue;
      }
      const lengths = cdcBoundaries(buffer, p);
      // Every chunk but the last is final (its cut depends only on bytes before it); the last
      // may be cut short by the end of what has been read, unless the file has ended.
      const keep = eof ? 0 : lengths.pop()!;
      let off = 0;
      for (const len of lengths) {
        yield Uint8Array.from(buffer.subarray(off, off + len));
        off += len;
      }
      buffer = buffer.subarray(off);
      if (eof && keep === 0 && buffer.length === 0) break;
    }
  } finally {
    await fh.close();
  }
}

/** The chunks of content already in memory (same cuts as the streaming path at end of file). */
function* chunkWhole(buffer: Buffer, p: ChunkingParams): Generator<Uint8Array> {
  if (buffer.length === 0) return;
  const pageSize = buffer.length >= 100 && isSqliteHeader(buffer) ? sqlitePageSize(buffer) : 0;
  if (pageSize > 0) {
    for (let off = 0; off < buffer.length; off += pageSize) yield Uint8Array.from(buffer.subarray(off, Math.min(off + pageSize, buffer.length)));
    return;
  }
  let off = 0;
  for (const len of cdcBoundaries(buffer, p)) {
    yield Uint8Array.from(buffer.subarray(off, off + len));
    off += len;
  }
}
