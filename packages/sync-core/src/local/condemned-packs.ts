/**
 * Packs a collector announced condemned (docs/PROTOCOL.md §3.12), in the state database: every
 * announcement this node learned (from a segment, or a checkpoint bundling it), and those this
 * node made itself with the storage's time it made them, which only it may act on.
 *
 * A condemned pack is still read (what it holds is reachable until it goes), but nothing is
 * deduplicated against it: a chunk whose every location is in a condemned pack counts as not
 * stored, so a writer uploads it again rather than point a new version into a pack that may be
 * deleted a margin after the announcement.
 */
import type Database from 'better-sqlite3';
import { segmentRuns } from './segment-runs.js';

const TABLES = `
CREATE TABLE IF NOT EXISTS condemned_packs (segment TEXT NOT NULL, pack TEXT NOT NULL, PRIMARY KEY (segment, pack));
CREATE INDEX IF NOT EXISTS condemned_packs_pack ON condemned_packs(pack);
CREATE TABLE IF NOT EXISTS own_condemnations (pack TEXT PRIMARY KEY, announced_at INTEGER NOT NULL);
`;

const ready = new WeakSet<Database.Database>();

export class CondemnedPacks {
  /** False in a read-only state made before this table existed: then nothing is condemned. */
  private readonly present: boolean;

  constructor(private readonly db: Database.Database) {
    if (!ready.has(db) && !db.readonly) {
      db.exec(TABLES);
      ready.add(db);
    }
    this.present = ready.has(db) || db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'condemned_packs'").get() !== undefined;
  }

  /** Records the packs a segment announced condemned (inside the caller's transaction). */
  record(segment: string, packs: readonly string[]): void {
    if (packs.length === 0) return;
    segmentRuns(this.db).explode(segment); // forgettable() finds it collected by its row
    const st = this.db.prepare('INSERT OR IGNORE INTO condemned_packs (segment, pack) VALUES (?, ?)');
    for (const p of packs) st.run(segment, p);
  }

  /** The packs one segment announced (for a checkpoint bundling it). */
  announcedBy(segment: string): string[] {
    if (!this.present) return [];
    return (this.db.prepare('SELECT pack FROM condemned_packs WHERE segment = ? ORDER BY pack').all(segment) as { pack: string }[]).map((r) => r.pack);
  }

  /** Every pack some announcement condemned. */
  all(): Set<string> {
    if (!this.present) return new Set();
    return new Set((this.db.prepare('SELECT DISTINCT pack FROM condemned_packs').all() as { pack: string }[]).map((r) => r.pack));
  }

  /** Whether any pack is condemned (a round asks it before anything costlier). */
  any(): boolean {
    return this.present && this.db.prepare('SELECT 1 FROM condemned_packs LIMIT 1').get() !== undefined;
  }

  /** Whether a chunk has a location in a pack nobody condemned: what deduplication may point at. */
  usable(): (hash: string) => boolean {
    // Asked for every chunk a scan packs: the chunk's own locations, each looked up in the index on
    // condemned packs, never the whole list of condemnations per chunk.
    const st = this.present
      ? this.db.prepare('SELECT 1 FROM chunk_locations l WHERE l.hash = ? AND NOT EXISTS (SELECT 1 FROM condemned_packs c WHERE c.pack = l.pack) LIMIT 1')
      : this.db.prepare('SELECT 1 FROM chunk_locations WHERE hash = ? LIMIT 1');
    return (hash) => st.get(hash) !== undefined;
  }

  /** This node's own announcements: pack → the storage's time it was announced (ms). */
  own(): Map<string, number> {
    if (!this.present) return new Map();
    return new Map((this.db.prepare('SELECT pack, announced_at FROM own_condemnations').all() as { pack: string; announced_at: number }[]).map((r) => [r.pack, r.announced_at]));
  }

  /** Records this node's announcement of `packs`, made by `announcedAt` on the storage's clock. */
  announced(packs: readonly string[], announcedAt: number): void {
    const st = this.db.prepare('INSERT OR REPLACE INTO own_condemnations (pack, announced_at) VALUES (?, ?)');
    for (const p of packs) st.run(p, announcedAt);
  }

  /**
   * Packs announced in a segment this node found collected since, that it did not announce itself
   * and holds no location in: once such a pack is gone too, nothing reads that announcement again
   * (a checkpoint need carry only the announcements of segments still listed, §3.10). The caller
   * makes sure it is gone.
   */
  forgettable(): string[] {
    return this.announcedInCollected(false);
  }

  /**
   * The same, but packs this node still holds locations in: a node that does not collect looks
   * whether they are gone (engine/collection/forget-collected-packs.ts).
   */
  heldCollected(): string[] {
    return this.announcedInCollected(true);
  }

  private announcedInCollected(held: boolean): string[] {
    if (!this.present || !this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'collected_segments'").get()) return [];
    const rows = this.db
      .prepare(
        `SELECT DISTINCT c.pack FROM condemned_packs c JOIN collected_segments s ON s.segment = c.segment
         WHERE NOT EXISTS (SELECT 1 FROM own_condemnations o WHERE o.pack = c.pack) AND ${held ? '' : 'NOT '}EXISTS (SELECT 1 FROM chunk_locations l WHERE l.pack = c.pack)`,
      )
      .all() as { pack: string }[];
    return rows.map((r) => r.pack);
  }

  /** Forgets the announcements of gone packs made in collected segments (those of segments still listed stay). */
  forgetGone(packs: Iterable<string>): void {
    const st = this.db.prepare('DELETE FROM condemned_packs WHERE pack = ? AND segment IN (SELECT segment FROM collected_segments)');
    for (const p of packs) st.run(p);
  }

  /** Forgets own announcements: the pack is gone, or needed again (a later announcement starts the wait again). */
  forgetOwn(packs: Iterable<string>): void {
    const st = this.db.prepare('DELETE FROM own_condemnations WHERE pack = ?');
    for (const p of packs) st.run(p);
  }
}
