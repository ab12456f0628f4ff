/**
 * What this node knows of collection (docs/PROTOCOL.md §3.10), in the state database's own
 * tables: what each checkpoint manifest it has read covers (each is read once, and whether it was
 * learned whole), and the applied segments it found collected. A segment that vanished from the
 * remote is collected, not lost, only when a checkpoint still listed carries it: then its versions
 * are not sent out again (§7.1), since every node can read them there.
 */
import type Database from 'better-sqlite3';
import { segmentRuns } from './segment-runs.js';

/** What a checkpoint covers: per writer the highest sequence number, and how many segments in all. */
export interface Coverage {
  frontier: Record<string, number>;
  covered: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS checkpoint_frontiers (manifest TEXT PRIMARY KEY, frontier TEXT NOT NULL, covered INTEGER NOT NULL, learned INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS collected_segments (segment TEXT PRIMARY KEY);
`;

/**
 * Its tables are made on first use. On a read-only connection (`verify` without `--repair`)
 * writes are skipped, and a state that never had them reads as empty: what a round learns is
 * learned again next time.
 */
export class CollectionTable {
  private readonly present: boolean;

  constructor(private readonly db: Database.Database) {
    if (!db.readonly) db.exec(SCHEMA);
    this.present = !!db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'collected_segments'").get();
  }

  private get writable(): boolean {
    return this.present && !this.db.readonly;
  }

  /** What a manifest this node has read says it covers (each manifest is read once). */
  frontier(manifest: string): Coverage | undefined {
    if (!this.present) return undefined;
    const row = this.db.prepare('SELECT frontier, covered FROM checkpoint_frontiers WHERE manifest = ?').get(manifest) as { frontier: string; covered: number } | undefined;
    return row && { frontier: JSON.parse(row.frontier) as Record<string, number>, covered: row.covered };
  }

  recordFrontier(manifest: string, c: Coverage): void {
    if (!this.writable) return;
    this.db.prepare('INSERT OR IGNORE INTO checkpoint_frontiers (manifest, frontier, covered) VALUES (?, ?, ?)').run(manifest, JSON.stringify(c.frontier), c.covered);
  }

  /**
   * Forgets what it read of checkpoints the listing no longer shows (collected): nothing asks about
   * those again, and one a listing shows again (it lagged) is only read again. Without this, one
   * row for every checkpoint ever read.
   */
  forgetUnlisted(listed: readonly string[]): void {
    if (!this.writable) return;
    const keep = new Set(listed);
    const rows = this.db.prepare('SELECT manifest FROM checkpoint_frontiers').all() as { manifest: string }[];
    const forget = this.db.prepare('DELETE FROM checkpoint_frontiers WHERE manifest = ?');
    for (const r of rows) if (!keep.has(r.manifest)) forget.run(r.manifest);
  }

  /** Whether every part of a checkpoint was read here and what it bundles applied (or it was written here). */
  learned(manifest: string): boolean {
    return this.present && this.db.prepare('SELECT 1 FROM checkpoint_frontiers WHERE manifest = ? AND learned = 1').get(manifest) !== undefined;
  }

  markLearned(manifest: string): void {
    if (this.writable) this.db.prepare('UPDATE checkpoint_frontiers SET learned = 1 WHERE manifest = ?').run(manifest);
  }

  /** The versions this node credits to a segment (each to the first segment it came in): what a checkpoint must carry for it. */
  versionsCreditedTo(segment: string): { hash: string; path: string; chunks: string[]; hlc: number }[] {
    const rows = this.db.prepare('SELECT hash, path, json FROM versions WHERE segment = ?').all(segment) as { hash: string; path: string; json: string }[];
    return rows.map((r) => {
      const v = JSON.parse(r.json) as { chunks: string[]; hlc: number };
      return { hash: r.hash, path: r.path, chunks: v.chunks, hlc: v.hlc };
    });
  }

  markCollected(segment: string): void {
    if (!this.writable) return;
    this.db.prepare('INSERT OR IGNORE INTO collected_segments (segment) VALUES (?)').run(segment);
  }

  isCollected(segment: string): boolean {
    return this.present && (this.db.prepare('SELECT 1 FROM collected_segments WHERE segment = ?').get(segment) !== undefined || segmentRuns(this.db).has(segment));
  }

  /** Every segment found collected here (those kept in runs too, segment-runs.ts). */
  collected(): Set<string> {
    if (!this.present) return new Set();
    const rows = this.db.prepare('SELECT segment FROM collected_segments').all() as { segment: string }[];
    return new Set([...rows.map((r) => r.segment), ...segmentRuns(this.db).keys()]);
  }

  /** An uploaded journal entry whose segment was collected: nothing will upload it again (its segment stays applied). */
  forgetJournal(key: string): void {
    if (this.writable) this.db.prepare('DELETE FROM journal WHERE key = ? AND uploaded = 1').run(key);
  }
}
