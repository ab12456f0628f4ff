/**
 * Live SQLite databases are never copied byte for byte: a consistent snapshot is taken through
 * SQLite's online backup API, and an incoming version is applied through it too, so an
 * application holding the database open sees a consistent switch and never writes into a
 * replaced inode.
 */
import { open, writeFile } from 'node:fs/promises';
import Database from 'better-sqlite3';
import { isSqliteHeader } from '../engine/chunker.js';

export async function looksLikeSqlite(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const head = Buffer.alloc(100);
    const { bytesRead } = await fh.read(head, 0, 100, 0);
    return bytesRead === 100 && isSqliteHeader(head);
  } finally {
    await fh.close();
  }
}

/**
 * A consistent snapshot with sqlite3_serialize: one call inside one read transaction. (The
 * stepwise backup API restarts whenever another connection writes, so under continuous writes it
 * may never finish.) The image is page-identical to the database, which page-aligned chunking
 * relies on. It is held in memory: fine for the hundreds of MiB a library database reaches.
 */
export async function snapshotSqlite(source: string, destination: string): Promise<void> {
  const db = new Database(source, { readonly: true, fileMustExist: true, timeout: 10_000 });
  try {
    await writeFile(destination, db.serialize());
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
