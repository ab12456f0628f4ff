/**
 * Live SQLite databases are never copied byte for byte: a consistent snapshot is taken through
 * SQLite's online backup API, and an incoming version is applied through it too, so an
 * application holding the database open sees a consistent switch and never writes into a
 * replaced inode.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import Database from 'better-sqlite3';
import { isSqliteHeader } from '../model/chunker.js';

/** The page cache of a connection a database is copied from, in KiB. */
const COPY_CACHE_KIB = 512;

export async function looksLikeSqlite(path: string): Promise<boolean> {
  // Synchronous: a 100-byte read is cheaper than three thread-pool round trips.
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(100);
    const bytesRead = readSync(fd, head, 0, 100, 0);
    return bytesRead === 100 && isSqliteHeader(head);
  } finally {
    closeSync(fd);
  }
}

/**
 * A consistent snapshot through SQLite's online backup API, written straight to `destination`
 * (no copy of the database in memory). The first step copies 100 pages, the rest goes in one
 * step: SQLite restarts a backup whenever another connection writes between steps, so one big
 * step finishes even under continuous writes, and the result is always consistent.
 */
export async function snapshotSqlite(source: string, destination: string): Promise<void> {
  const db = openToCopy(source, 10_000);
  try {
    await db.backup(destination, { progress: ({ remainingPages }) => Math.max(remainingPages, 100) });
  } finally {
    db.close();
  }
}

/**
 * A read-only connection to copy a database from. The backup reads each page once, in order: a
 * cache is of no use to it, and better-sqlite3 builds SQLite with 16 MB of page cache a
 * connection (SQLITE_DEFAULT_CACHE_SIZE=-16000 in its deps/defines.gypi), which copying a large
 * database filled: peak RSS 16 MB higher while the benchmark's 64 MiB database was copied. (The
 * destination's connection is opened by better-sqlite3 and keeps its cache, of dirty pages it
 * spills to the file once full.) `timeout`: how long to wait while another connection holds a
 * lock (better-sqlite3's default, 5 s).
 */
function openToCopy(path: string, timeout = 5000): Database.Database {
  const db = new Database(path, { readonly: true, fileMustExist: true, timeout });
  db.pragma(`cache_size = -${COPY_CACHE_KIB}`);
  return db;
}

/** Replaces the content of the live database `target` with the database file `incoming`. */
export async function applySqlite(incoming: string, target: string): Promise<void> {
  const src = openToCopy(incoming);
  try {
    await src.backup(target);
  } finally {
    src.close();
  }
}

export function integrityCheck(path: string): string {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return String(db.pragma('integrity_check', { simple: true }));
  } finally {
    db.close();
  }
}
