/** The connection to a library's state database (state.ts), and how SQLite is set up for it. */
import Database from 'better-sqlite3';
import { SyncError } from '../model/sync-error.js';

/** The state connection's page cache, in KiB. */
const STATE_CACHE_KIB = 4000;

/**
 * `readonly`: for commands that only look (status, log, conflicts). They take no lock and run
 * beside a sync: in WAL mode a reader sees the last committed state while a writer goes on.
 */
export function openStateDatabase(file: string, options: { readonly?: boolean } = {}): Database.Database {
  if (options.readonly) return new Database(file, { readonly: true, fileMustExist: true, timeout: 5000 });
  const db = new Database(file, { timeout: 5000 });
  try {
    db.pragma('journal_mode = WAL');
    // NORMAL in WAL mode never corrupts; a power cut may lose the last transactions, which the
    // protocol tolerates: a segment uploaded but missing from the journal reads as "restored
    // node" (the writer is retired), and a lost record only makes a file be re-hashed.
    db.pragma('synchronous = NORMAL');
    // 4 MB of page cache instead of better-sqlite3's 16 MB: pages it drops come back from the
    // operating system's cache in a system call. The benchmark library (Node 20, alternating runs):
    // peak RSS of a download 138-145 MB against 154-156, a restore 142-144 against 154-162, a first
    // upload 172-173 against 178, wall times within the runs' spread; 100,000 small files (a
    // 124 MB state): a no-op 145-149 MB against 159-160 in 1.90-2.02 s against 1.97-2.14.
    db.pragma(`cache_size = -${STATE_CACHE_KIB}`);
    return db;
  } catch (e) {
    db.close(); // a damaged file: not held open by the error
    throw e;
  }
}

/**
 * Creates the state's tables where they are missing; a state from before a chunk could have several
 * locations (one per pack holding it) had them in `chunks`, moved here. A damaged file is closed
 * (opening the library says what it is: `asStateError`).
 */
export function createSchema(db: Database.Database, schema: string): void {
  try {
    db.exec(schema);
    if (db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'chunks'").get()) {
      db.exec('INSERT OR IGNORE INTO chunk_locations SELECT hash, pack, offset, length, segment FROM chunks; DROP TABLE chunks;');
    }
  } catch (e) {
    db.close();
    throw e;
  }
}

/**
 * `e`, or a `StateDamaged` SyncError naming the file where SQLite found the state damaged or not a
 * database at all (a disk error, a copy cut short, another program's file in its place): said as
 * such, with what to do, rather than as an unexpected `database disk image is malformed`. Applied
 * once, where a library is opened (open-library.ts): the only opening of a state a person made.
 */
export function asStateError(file: string, e: unknown): unknown {
  const code = (e as { code?: unknown })?.code;
  if (typeof code !== 'string' || !/^SQLITE_(CORRUPT|NOTADB)/.test(code)) return e;
  return new SyncError('StateDamaged', `the library's state, ${file}, is damaged (SQLite: ${(e as Error).message})`, { cause: e });
}
