/**
 * What the scan compares each file on disk with: the stat of every local record, without the rest
 * of the record. A no-op over 100,000 files loaded every record whole (its version hash and tree
 * path too, for files that matched) as 100,000 objects that lived to the end of the scan: about
 * 30 MB of heap, copied by every minor collection they survived. Here the stats are numbers in
 * one array and the paths a map to their row; a whole record is read only for a file that
 * changed, or is gone.
 */
import type Database from 'better-sqlite3';
import type { LocalRecord } from './state.js';
import { IGNORE_CTIME, RACY, sameStatAs, type StatLike } from './scan.js';

/** size, mtimeMs, ctimeMs, ino: one row's numbers, in that order. */
const FIELDS = 4;

export class RecordedStats {
  /** Disk path → its row in `stats`, for records the scan has not taken yet. */
  private readonly rows = new Map<string, number>();
  private readonly stats: Float64Array;
  private readonly byPath: Database.Statement;

  constructor(db: Database.Database) {
    // The count and the rows in one read transaction: the same rows, whoever writes meanwhile.
    this.stats = db.transaction(() => this.load(db))();
    this.byPath = db.prepare('SELECT path, tree_path AS treePath, version, size, mtime_ms AS mtimeMs, ctime_ms AS ctimeMs, ino FROM local WHERE path = ?');
  }

  private load(db: Database.Database): Float64Array {
    const stats = new Float64Array((db.prepare('SELECT count(*) FROM local').pluck().get() as number) * FIELDS);
    // Rows as arrays, one at a time: each dies young, and only the path and four numbers stay.
    let row = 0;
    for (const [path, size, mtimeMs, ctimeMs, ino] of db.prepare('SELECT path, size, mtime_ms, ctime_ms, ino FROM local').raw().iterate() as IterableIterator<
      [string, number, number, number, number]
    >) {
      const at = row * FIELDS;
      stats[at] = size;
      stats[at + 1] = mtimeMs;
      stats[at + 2] = ctimeMs;
      stats[at + 3] = ino;
      this.rows.set(path, row++);
    }
    return stats;
  }

  /** How many records there were when the scan began. */
  get count(): number {
    return this.stats.length / FIELDS;
  }

  /** Takes `path` out of those left: its row, or -1 when it has no record. */
  take(path: string): number {
    const row = this.rows.get(path);
    if (row === undefined) return -1;
    this.rows.delete(path);
    return row;
  }

  /** Takes `path` when its stat on disk is the recorded one: the file is unchanged. */
  takeIfSame(path: string, actual: StatLike): boolean {
    const row = this.rows.get(path);
    if (row === undefined || !this.matches(row, actual)) return false;
    this.rows.delete(path);
    return true;
  }

  /** The stat on disk is the one recorded in `row` (scan.ts `sameStat`). */
  matches(row: number, actual: StatLike): boolean {
    const at = row * FIELDS;
    return sameStatAs(actual, this.stats[at]!, this.stats[at + 1]!, this.stats[at + 2]!, this.stats[at + 3]!);
  }

  /**
   * `matches`, but a record stored racily clean (RACY: written just before its sync) has its ctime
   * left out: for saying what changed since (status), never for leaving a file unread.
   */
  matchesForReport(row: number, actual: StatLike): boolean {
    const at = row * FIELDS;
    const ctime = this.stats[at + 2] === RACY ? IGNORE_CTIME : this.stats[at + 2]!;
    return sameStatAs(actual, this.stats[at]!, this.stats[at + 1]!, ctime, this.stats[at + 3]!);
  }

  /** The whole record of `path`, read now. */
  record(path: string): LocalRecord | undefined {
    return this.byPath.get(path) as LocalRecord | undefined;
  }

  /** Paths with a record the scan did not take (gone from disk, or not seen), in the table's order. */
  left(): IterableIterator<string> {
    return this.rows.keys();
  }
}
