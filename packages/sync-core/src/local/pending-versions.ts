/**
 * The versions this node recorded that no segment has carried yet, read a page at a time in hash
 * order (keyset paging on the partial index versions_pending): a commit of 100,000 new versions
 * holds a page and a segment's batch or two of them, not all of them.
 */
import type Database from 'better-sqlite3';
import type { HashedVersion } from '../model/version.js';
import { withStoredHash } from './state.js';

/** Rows may be written between pages (a commit assigns each batch its segment): each page is asked afresh, after the last hash. */
export function* pendingVersionPages(db: Database.Database, size = 2000): Generator<HashedVersion[]> {
  const page = db.prepare('SELECT hash, json FROM versions WHERE segment IS NULL AND hash > ? ORDER BY hash LIMIT ?');
  for (let after = ''; ;) {
    const rows = (page.all(after, size) as { hash: string; json: string }[]).map(withStoredHash);
    if (rows.length > 0) yield rows;
    if (rows.length < size) return;
    after = rows[rows.length - 1]!.hash;
  }
}

export const pendingVersionCount = (db: Database.Database): number => (db.prepare('SELECT COUNT(*) AS n FROM versions WHERE segment IS NULL').get() as { n: number }).n;
