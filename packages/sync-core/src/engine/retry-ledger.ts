/**
 * Remote objects that could not be read as their name promises, remembered across rounds.
 *
 * A hash-named object (a segment, a pack) whose bytes do not match its name, or that is listed
 * but reads as missing, is usually not broken: on davfs2 or rclone mounts, and on stores that
 * write in place, the name is visible before the content is complete, and listings run ahead of
 * reads. So a failure is retried on later rounds, with back-off, and is condemned (reported as
 * corrupt, exit 8) only when it persists: at least `CONDEMN_AFTER.attempts` failed reads spread
 * over at least `CONDEMN_AFTER.ms`. A condemned object is read again as soon as the listing shows
 * it changed (size or etag). Objects that are merely missing are never condemned: missing is
 * not corrupt (a real loss is found by findLostPacks, §7.1).
 *
 * Lives in the library's state database (its own table), so it survives restarts.
 */
import type Database from 'better-sqlite3';

export const CONDEMN_AFTER = { attempts: 5, ms: 30 * 60_000 } as const;

/** Wait before the next attempt after `failures` failed ones: the next round twice, then 1, 2, 4 … 30 minutes. */
function retryDelayMs(failures: number): number {
  if (failures <= 2) return 0;
  return Math.min(60_000 * 2 ** (failures - 3), 30 * 60_000);
}

export type RetryKind = 'segment' | 'pack' | 'author';

export interface RetryEntry {
  key: string;
  kind: RetryKind;
  attempts: number;
  firstAt: number;
  lastAt: number;
  size: number | null;
  etag: string | null;
  reason: string;
  condemned: boolean;
}

interface Row {
  key: string;
  kind: RetryKind;
  attempts: number;
  first_at: number;
  last_at: number;
  size: number | null;
  etag: string | null;
  reason: string;
  condemned: number;
}

const toEntry = (r: Row): RetryEntry => ({
  key: r.key,
  kind: r.kind,
  attempts: r.attempts,
  firstAt: r.first_at,
  lastAt: r.last_at,
  size: r.size,
  etag: r.etag,
  reason: r.reason,
  condemned: r.condemned === 1,
});

export class RetryLedger {
  constructor(private readonly db: Database.Database) {
    db.exec(
      'CREATE TABLE IF NOT EXISTS remote_retries (key TEXT PRIMARY KEY, kind TEXT NOT NULL, attempts INTEGER NOT NULL, first_at INTEGER NOT NULL, last_at INTEGER NOT NULL, size INTEGER, etag TEXT, reason TEXT NOT NULL, condemned INTEGER NOT NULL DEFAULT 0)',
    );
  }

  get(key: string): RetryEntry | undefined {
    const r = this.db.prepare('SELECT * FROM remote_retries WHERE key = ?').get(key) as Row | undefined;
    return r && toEntry(r);
  }

  all(kind: RetryKind): RetryEntry[] {
    return (this.db.prepare('SELECT * FROM remote_retries WHERE kind = ? ORDER BY key').all(kind) as Row[]).map(toEntry);
  }

  /** Whether the listing shows the object changed since it last failed (then it is read again at once). */
  static changed(e: RetryEntry, listed: { size?: number; etag?: string }): boolean {
    return (listed.size !== undefined && e.size !== null && listed.size !== e.size) || (listed.etag !== undefined && e.etag !== null && listed.etag !== e.etag);
  }

  /** Whether to read `key` this round. */
  due(key: string, now: number, listed: { size?: number; etag?: string } = {}): boolean {
    const e = this.get(key);
    if (!e) return true;
    if (RetryLedger.changed(e, listed)) return true;
    if (e.condemned) return false;
    return now - e.lastAt >= retryDelayMs(e.attempts) || now < e.lastAt; // a clock set back does not freeze retries
  }

  /**
   * Records a failed read. Returns true when the object is now condemned: `permanent` (the bytes
   * are final and refused) at once, a mismatch once it has persisted, a missing object never.
   */
  failed(key: string, kind: RetryKind, now: number, o: { reason: string; size?: number; etag?: string; permanent?: boolean; missing?: boolean }): boolean {
    const had = this.get(key);
    const changed = had !== undefined && RetryLedger.changed(had, o);
    const attempts = had && !changed ? had.attempts + 1 : 1;
    const firstAt = had && !changed ? Math.min(had.firstAt, now) : now;
    const condemned = !o.missing && (o.permanent === true || (attempts >= CONDEMN_AFTER.attempts && now - firstAt >= CONDEMN_AFTER.ms));
    this.db
      .prepare('INSERT OR REPLACE INTO remote_retries (key, kind, attempts, first_at, last_at, size, etag, reason, condemned) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(key, kind, attempts, firstAt, now, o.size ?? null, o.etag ?? null, o.reason, condemned ? 1 : 0);
    return condemned;
  }

  succeeded(key: string): void {
    this.db.prepare('DELETE FROM remote_retries WHERE key = ?').run(key);
  }
}
