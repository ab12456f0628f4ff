/**
 * Live SQLite databases are never copied byte for byte: a consistent snapshot is taken through
 * SQLite's online backup API, and an incoming version is applied through it too, so an
 * application holding the database open sees a consistent switch and never writes into a
 * replaced inode.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import Database from 'better-sqlite3';
import { isSqliteHeader } from '../model/chunker.js';

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
  const db = new Database(source, { readonly: true, fileMustExist: true, timeout: 10_000 });
  try {
    await db.backup(destination, { progress: ({ remainingPages }) => Math.max(remainingPages, 100) });
  } finally {
    db.close();
  }
}

/** Replaces the content of the live database `target` with the database file `incoming`. */
export async function applySqlite(incoming: string, target: string): Promise<void> {
  const src = new Database(incoming, { readonly: true, fileMustExist: true });
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
