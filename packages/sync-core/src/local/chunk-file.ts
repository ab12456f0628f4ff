/**
 * Reads a file as a stream of chunks (content-defined, or page-aligned for SQLite) with bounded
 * memory and linear work. The file is read up to the size it had when opened, in full-size reads,
 * and no further: a file that grows or shrinks meanwhile (a log being written, a download in
 * progress) fails with `FileChangedError` and is left for a later round. Reading on to the end of a
 * growing file never ends, and did not: reads shrank to the few bytes appended since, each
 * followed by a copy of the whole read buffer.
 *
 * Chunks are views of the read buffer, not copies: nothing writes to a buffer once read (a scan's
 * shared `ReadBuffer` only after its chunks are released), and a chunk is hashed, encoded into a
 * pack and let go within a few chunks, so the views keep at most a few read buffers alive.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { cdcBoundaries, DEFAULT_CHUNKING, isSqliteHeader, sqlitePageSize, type ChunkingParams } from '../model/chunker.js';
import { releaseBuffer } from '../model/release-buffer.js';
import { SyncError } from '../model/sync-error.js';

// One block at a time, no read-ahead. Reading the next block while this one is cut, with large
// chunks hashed on the thread pool (WebCrypto) meanwhile, was measured slower on a first upload of
// the benchmark library (session 44: median 13.19 s against 12.56 s, five runs alternating, and
// 40 MB more peak RSS): the pool is busy compressing, and its copies cost more than the waits.
const READ_BLOCK = 8 * 1024 * 1024;

// Files up to this size are read in one synchronous call: most of a library is small files, and
// five thread-pool round trips (open, stat, read, read, close) cost more than the read itself.
const SMALL_FILE = 256 * 1024;

/** The file's size moved while it was read: its content is not one moment's. */
export class FileChangedError extends Error {
  readonly code = 'FileChanged';
  constructor(
    readonly path: string,
    readonly expected: number,
    readonly seen: number,
  ) {
    super(seen > expected ? `it grew while being read (it had ${expected} bytes)` : `it shrank while being read (from ${expected} to ${seen} bytes)`);
    this.name = 'FileChangedError';
  }
}

export const isFileChanged = (e: unknown): e is FileChangedError => (e as { code?: unknown } | null)?.code === 'FileChanged';

/**
 * Errors of the file system reading the file itself (EACCES, EIO…), as thrown (code, syscall and
 * path kept), told apart from the errors of what a read waits for: the shared read buffer waits
 * for the pack writer, whose uploads may fail with a remote's errors, which must not be taken for
 * the file's (a NAS refusing a pack's write is not this file being unreadable).
 */
const localReadErrors = new WeakSet<object>();
export const isLocalReadError = (e: unknown): e is NodeJS.ErrnoException => typeof e === 'object' && e !== null && localReadErrors.has(e);

/** `read()`'s result; a system error it throws is marked as the file's own (`isLocalReadError`). */
function reading<T>(read: () => T): T {
  try {
    return read();
  } catch (e) {
    throw marked(e);
  }
}
async function readingAsync<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (e) {
    throw marked(e);
  }
}
function marked(e: unknown): unknown {
  if (typeof (e as NodeJS.ErrnoException | null)?.syscall === 'string') localReadErrors.add(e as object);
  return e;
}

/** The file is a SQLite database, found from its first read before any chunk (`stopAtSqlite`). */
export class SqliteFileError extends Error {
  readonly code = 'SqliteFile';
  constructor(readonly path: string) {
    super(`${path} is a SQLite database`);
    this.name = 'SqliteFileError';
  }
}

export const isSqliteFile = (e: unknown): e is SqliteFileError => (e as { code?: unknown } | null)?.code === 'SqliteFile';

export interface ChunkFileOptions {
  /** Checked before every read and chunk: an abort stops the read at once (`SyncError` `Aborted`). */
  signal?: AbortSignal;
  /**
   * A live database is not chunked from the file (the caller takes a snapshot through SQLite):
   * when the first read shows a SQLite header, `SqliteFileError` is thrown before any chunk. This
   * spares the scan a separate open and read of every file's first bytes to ask (104 ms of a first
   * upload of the benchmark library from a warm cache, and a wait on the disk per file from a cold one).
   */
  stopAtSqlite?: boolean;
  /** Large files are read into this buffer, file after file, instead of a fresh one per read (`ReadBuffer`). */
  reads?: ReadBuffer;
}

/**
 * One read buffer for every large file a scan reads. A fresh 8 MiB block per read is fresh pages,
 * which the kernel zeroes and maps one at a time as the read fills them: 56 % of a first upload's
 * page faults were in those reads (perf, benchmark library), and a fault costs about 11 µs on the
 * machines we measure on. Chunks are views of the buffer, so it is written again only once
 * `released` resolves: everything handed on from it before has been copied out (the pack writer's
 * `chunksCopied`). One file at a time; a caller that keeps chunks (a map of them) must not pass one.
 */
export class ReadBuffer {
  private bytes: Buffer | undefined;

  constructor(private readonly released: () => Promise<void>) {}

  /** A buffer starting with `tail` (the uncut end of the last read, maybe a view of this one) with room behind it for `length` bytes. */
  async behind(tail: Buffer, length: number, maxChunk: number): Promise<Buffer> {
    await this.released();
    const needed = tail.length + length;
    if (!this.bytes || this.bytes.length < needed) {
      // Room for a whole block behind the longest tail a cut can leave: allocated once per scan.
      const next = Buffer.allocUnsafe(Math.max(needed, READ_BLOCK + maxChunk));
      tail.copy(next, 0);
      releaseBuffer(this.bytes); // outgrown; the tail, maybe a view of it, is copied already
      this.bytes = next;
    } else {
      tail.copy(this.bytes, 0); // overlapping regions are copied as by memmove
    }
    return this.bytes.subarray(0, needed);
  }

  /** The scan is over and every chunk read into the buffer was copied out: its memory goes now (release-buffer.ts). */
  release(): void {
    releaseBuffer(this.bytes);
    this.bytes = undefined;
  }
}

/** A fresh buffer starting with a copy of `tail`, with room for `length` bytes behind it. */
function freshBehind(tail: Buffer, length: number): Buffer {
  const grown = Buffer.allocUnsafe(tail.length + length);
  tail.copy(grown, 0);
  return grown;
}

function checkSignal(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new SyncError('Aborted', 'sync aborted');
}

export async function* chunkFile(path: string, p: ChunkingParams = DEFAULT_CHUNKING, o: ChunkFileOptions = {}): AsyncGenerator<Uint8Array> {
  checkSignal(o.signal);
  const statted = reading(() => statSync(path).size);
  if (statted <= SMALL_FILE) {
    yield* chunkWhole(
      reading(() => readWhole(path, statted, o)),
      p,
    );
    return;
  }
  const fh = await readingAsync(() => open(path, 'r'));
  try {
    const size = (await readingAsync(() => fh.stat())).size;
    let pos = 0; // bytes of the file read so far
    let buffer: Buffer = Buffer.alloc(0);
    let pageSize = 0; // > 0 once the file is known to be SQLite
    let first = true;
    while (pos < size || buffer.length > 0) {
      checkSignal(o.signal);
      if (pos < size && buffer.length < p.maxSize * 2) {
        const length = Math.min(READ_BLOCK, size - pos);
        // The next block is read in behind what is left of the last (the tail of an unfinished
        // chunk, a few MiB at most): only that tail is copied, not the block as well.
        const grown = o.reads ? await o.reads.behind(buffer, length, p.maxSize) : freshBehind(buffer, length);
        await readingAsync(() => readExactly(fh, path, pos, grown.subarray(buffer.length), size));
        if (o.stopAtSqlite && pos === 0 && isSqliteHeader(grown)) throw new SqliteFileError(path); // before the growth check, as in readWhole
        pos += length;
        // At the size it had: one more byte there means it grew, and its content is of no one moment.
        if (pos === size && (await readingAsync(() => fh.read(Buffer.alloc(1), 0, 1, size))).bytesRead > 0) throw new FileChangedError(path, size, size + 1);
        buffer = grown;
        if (first && buffer.length >= 100) {
          first = false;
          if (isSqliteHeader(buffer)) pageSize = sqlitePageSize(buffer);
        }
        if (pos < size && buffer.length < p.maxSize * 2) continue;
      }
      const eof = pos === size;
      if (pageSize > 0) {
        const whole = eof ? buffer.length : buffer.length - (buffer.length % pageSize);
        for (let off = 0; off < whole; off += pageSize) yield buffer.subarray(off, Math.min(off + pageSize, whole));
        buffer = buffer.subarray(whole);
        continue;
      }
      const lengths = cdcBoundaries(buffer, p);
      // Every chunk but the last is final (its cut depends only on bytes before it); the last
      // may be cut short by the end of what has been read, unless the file has ended.
      if (!eof) lengths.pop();
      let off = 0;
      for (const len of lengths) {
        checkSignal(o.signal);
        yield buffer.subarray(off, off + len);
        off += len;
      }
      buffer = buffer.subarray(off);
    }
  } finally {
    await fh.close();
  }
}

/** A small file's content, in one read; FileChanged unless it has the size it had. */
function readWhole(path: string, size: number, o: ChunkFileOptions): Buffer {
  const whole = readSmall(path, size);
  // Before the size check: a live database being written is snapshotted, not left for later.
  if (o.stopAtSqlite && whole.length >= 100 && isSqliteHeader(whole)) throw new SqliteFileError(path);
  if (whole.length !== size) throw new FileChangedError(path, size, whole.length);
  return whole;
}

/** Up to `size` + 1 bytes (one more shows it grew), synchronously: never the whole of a file that grew. */
function readSmall(path: string, size: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(size + 1);
    let got = 0;
    for (let n = 1; n > 0 && got < buf.length; got += n) n = readSync(fd, buf, got, buf.length - got, got);
    return buf.subarray(0, got);
  } finally {
    closeSync(fd);
  }
}

/** Fills `into` with the bytes at `pos`, in as few reads as the OS allows; a short file is FileChanged. */
async function readExactly(fh: Awaited<ReturnType<typeof open>>, path: string, pos: number, into: Buffer, size: number): Promise<void> {
  let got = 0;
  while (got < into.length) {
    const { bytesRead } = await fh.read(into, got, into.length - got, pos + got);
    if (bytesRead === 0) throw new FileChangedError(path, size, pos + got);
    got += bytesRead;
  }
}

/** The chunks of content already in memory (same cuts as the streaming path at end of file). */
function* chunkWhole(buffer: Buffer, p: ChunkingParams): Generator<Uint8Array> {
  if (buffer.length === 0) return;
  const pageSize = buffer.length >= 100 && isSqliteHeader(buffer) ? sqlitePageSize(buffer) : 0;
  if (pageSize > 0) {
    for (let off = 0; off < buffer.length; off += pageSize) yield buffer.subarray(off, Math.min(off + pageSize, buffer.length));
    return;
  }
  let off = 0;
  for (const len of cdcBoundaries(buffer, p)) {
    yield buffer.subarray(off, off + len);
    off += len;
  }
}
