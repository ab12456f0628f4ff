/**
 * The versions a scan makes, and the records of the files they came from, staged in a TEMP table
 * of the state connection until the packs holding their chunks are written (new-versions.ts).
 *
 * Held in memory instead, they grew with the library: about 600 bytes a file (the version, its
 * hash, the file's path and stat, boxed numbers), 58 MB of live heap at the end of a first upload
 * of 100,000 small files, whose peak RSS was 207 MB. Here a scan holds a thousand rows at most.
 *
 * A TEMP table belongs to its connection and goes with it: a scan cut short (Ctrl-C, an error, a
 * crash) leaves nothing behind to be taken for versions, and the next scan on the same connection
 * (a watch) starts by emptying it. Its pages stay in a 1 MB cache; past that SQLite writes them to
 * a temporary file (better-sqlite3 builds with SQLITE_TEMP_STORE=1), in the first of SQLITE_TMPDIR,
 * TMPDIR, /var/tmp, /usr/tmp and /tmp it can write to, as it does the large sorts it spills.
 */
import type Database from 'better-sqlite3';
import type { StatLike } from './materialize.js';
import type { HashedVersion } from '../model/version.js';

const SCHEMA = `
CREATE TEMP TABLE IF NOT EXISTS staged_versions (
  seq INTEGER PRIMARY KEY,
  hash TEXT NOT NULL,
  path TEXT NOT NULL,
  json TEXT,          -- NULL: the version is known already (adopted), only the file's record is new
  disk_path TEXT,     -- NULL: no file stands for it (a delete)
  size INTEGER, mtime_ms REAL, ctime_ms REAL, ino INTEGER
);
`;

/** Rows written at once, in one transaction: an autocommit per row would be a transaction per file. */
const ROWS_PER_WRITE = 1000;
/** The TEMP database's page cache, in KiB: rows are appended, and read back once. */
const TEMP_CACHE_KIB = 1024;

type Row = [hash: string, path: string, json: string | null, diskPath: string | null, size: number | null, mtimeMs: number | null, ctimeMs: number | null, ino: number | null];

export class StagedVersions {
  private rows: Row[] = [];
  /** Rows staged since the last `clear`. */
  count = 0;

  constructor(private readonly db: Database.Database) {
    db.exec(SCHEMA);
    db.pragma(`temp.cache_size = -${TEMP_CACHE_KIB}`);
    this.clear();
  }

  /** Nothing staged: what an earlier scan on this connection left (it was cut short) is dropped. */
  clear(): void {
    this.rows = [];
    this.count = 0;
    this.db.prepare('DELETE FROM temp.staged_versions').run();
  }

  /**
   * `v` to be recorded (unless `known`), and the record of the file at `diskPath` with `stat`
   * pointing at it. The version is stored as `LocalState.addVersion` stores it: its JSON without
   * the hash.
   */
  add(v: HashedVersion, diskPath: string | undefined, stat: StatLike | undefined, known = false): void {
    const { hash, ...rest } = v;
    const file = diskPath !== undefined && stat !== undefined;
    this.rows.push([
      hash,
      v.path,
      known ? null : JSON.stringify(rest),
      file ? diskPath : null,
      file ? stat.size : null,
      file ? stat.mtimeMs : null,
      file ? stat.ctimeMs : null,
      file ? stat.ino : null,
    ]);
    this.count++;
    if (this.rows.length >= ROWS_PER_WRITE) this.write();
  }

  /**
   * Every staged version into `versions` (pending: no segment yet), and every staged record into
   * `local`, in the caller's transaction; then the table is emptied. Versions go in hash order,
   * so that their rows follow the order in which the commit reads and marks them (pending-versions.ts
   * pages by hash): a commit of 100,000 new versions then reads and rewrites the table's pages in
   * runs rather than all over, with the state's small page cache. Records go in path order, and
   * for a path staged twice the later one is kept, as when each was written in turn.
   */
  recordAll(): void {
    this.write();
    this.db.prepare('INSERT OR IGNORE INTO versions (hash, path, json, segment) SELECT hash, path, json, NULL FROM temp.staged_versions WHERE json IS NOT NULL ORDER BY hash').run();
    this.db
      .prepare(
        'INSERT OR REPLACE INTO local (path, tree_path, version, size, mtime_ms, ctime_ms, ino) SELECT disk_path, path, hash, size, mtime_ms, ctime_ms, ino FROM temp.staged_versions WHERE disk_path IS NOT NULL ORDER BY disk_path, seq',
      )
      .run();
    this.clear();
  }

  private write(): void {
    if (this.rows.length === 0) return;
    const rows = this.rows;
    this.rows = [];
    const insert = this.db.prepare('INSERT INTO temp.staged_versions (hash, path, json, disk_path, size, mtime_ms, ctime_ms, ino) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    try {
      this.db.transaction(() => {
        for (const row of rows) insert.run(row);
      })();
    } catch (e) {
      throw temporaryFolderFull(e);
    }
  }
}

/**
 * SQLite's "database or disk is full", from a write to the TEMP table, is the temporary folder's
 * disk, not the library's nor the state's: said so, or a user frees space where there was room.
 * The cause keeps SQLite's code, which the command reports as a full local disk (exit 7).
 */
function temporaryFolderFull(e: unknown): unknown {
  if ((e as { code?: unknown } | null)?.code !== 'SQLITE_FULL') return e;
  return new Error("SQLite's temporary folder is full (the first of SQLITE_TMPDIR, TMPDIR, /var/tmp, /usr/tmp and /tmp it can write to; point SQLITE_TMPDIR at a folder with room)", { cause: e });
}
