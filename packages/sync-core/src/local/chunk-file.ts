/** Reads a file as a stream of chunks (content-defined, or page-aligned for SQLite) with bounded memory. */
import { open } from 'node:fs/promises';
import { cdcBoundaries, DEFAULT_CHUNKING, isSqliteHeader, sqlitePageSize, type ChunkingParams } from '../engine/chunker.js';

const READ_BLOCK = 8 * 1024 * 1024;

export async function* chunkFile(path: string, p: ChunkingParams = DEFAULT_CHUNKING): AsyncGenerator<Uint8Array> {
  const fh = await open(path, 'r');
  try {
    let buffer: Buffer = Buffer.alloc(0);
    let eof = false;
    let pageSize = 0; // > 0 once the file is known to be SQLite
    let first = true;
    while (!eof || buffer.length > 0) {
      if (!eof && buffer.length < p.maxSize * 2) {
        const block = Buffer.allocUnsafe(READ_BLOCK);
        const { bytesRead } = await fh.read(block, 0, READ_BLOCK, null);
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
