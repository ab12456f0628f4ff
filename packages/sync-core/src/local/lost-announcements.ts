/**
 * Packs each applied segment announced lost (docs/PROTOCOL.md §7.1), in the state database's own
 * table: a checkpoint that bundles a segment carries its announcement too (§3.9), or a node
 * catching up from the checkpoint would never look for those packs.
 */
import type Database from 'better-sqlite3';

export class LostAnnouncements {
  constructor(private readonly db: Database.Database) {}

  record(segment: string, packs: readonly string[]): void {
    if (packs.length === 0) return;
    const st = this.db.prepare('INSERT OR IGNORE INTO lost_announcements (segment, pack) VALUES (?, ?)');
    for (const p of packs) st.run(segment, p);
  }

  /** Every recorded announcement, newest first: [segment, pack]. */
  all(): [string, string][] {
    return (this.db.prepare('SELECT segment, pack FROM lost_announcements ORDER BY rowid DESC').all() as { segment: string; pack: string }[]).map((r) => [r.segment, r.pack]);
  }
}
