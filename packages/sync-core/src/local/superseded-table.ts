/**
 * Versions this node knows to be replaced though the versions that replace them were pruned
 * (docs/PROTOCOL.md §3.11), by the first 16 hex digits of their hash, with their time. The merge
 * takes such a version for no head where a later version of its path is known (engine/merge.ts).
 * They come from checkpoints: those this node wrote and those it read.
 *
 * An entry whose version this node still holds stays as long as the version does (it keeps an old
 * kept version from becoming a head again). An entry for a version pruned everywhere only serves
 * nodes that come back still holding it; it is carried for `PRUNED_HORIZON_MS` and then dropped.
 */
import type Database from 'better-sqlite3';
import type { RetentionPolicy } from '../model/retention.js';

/** How long a checkpoint names the versions pruned before it: a node away longer than this may bring back a stale copy of one as a conflict copy (said in §3.11). */
export const PRUNED_HORIZON_MS = 400 * 86_400_000;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS superseded (prefix TEXT PRIMARY KEY, hlc INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS retention_applied (id INTEGER PRIMARY KEY CHECK (id = 0), setting TEXT NOT NULL, policy TEXT NOT NULL, as_of INTEGER NOT NULL);
`;

/** The retention this node last pruned its own state by (from a checkpoint it wrote or read). */
export interface AppliedRetention {
  setting: string;
  policy: RetentionPolicy;
  asOf: number;
}

/** One superseded version: its hash16 and its time. */
export type SupersededEntry = [prefix: string, hlc: number];

/** The prefixes the merge consults (merge.ts `headsByPath`): none where the table was never made. */
export const supersededOf = (state: { db: Database.Database }): Set<string> => new SupersededTable(state.db).prefixes();

/** Databases whose tables are known to exist: the merge asks on every tree it builds, the schema need not be run each time. */
const ready = new WeakSet<Database.Database>();

export class SupersededTable {
  private readonly present: boolean;

  constructor(private readonly db: Database.Database) {
    if (ready.has(db)) {
      this.present = true;
      return;
    }
    if (!db.readonly) db.exec(SCHEMA);
    this.present = !!db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'superseded'").get();
    if (this.present && !db.readonly) ready.add(db);
  }

  /** Every prefix recorded (what the merge consults). */
  prefixes(): Set<string> {
    if (!this.present) return new Set();
    return new Set((this.db.prepare('SELECT prefix FROM superseded').all() as { prefix: string }[]).map((r) => r.prefix));
  }

  all(): SupersededEntry[] {
    if (!this.present) return [];
    return (this.db.prepare('SELECT prefix, hlc FROM superseded ORDER BY prefix').all() as { prefix: string; hlc: number }[]).map((r) => [r.prefix, r.hlc]);
  }

  /** Records the entries; returns how many were new here. */
  record(entries: Iterable<SupersededEntry>): number {
    if (!this.present || this.db.readonly) return 0;
    const put = this.db.prepare('INSERT OR IGNORE INTO superseded (prefix, hlc) VALUES (?, ?)');
    let added = 0;
    for (const [prefix, hlc] of entries) added += put.run(prefix, hlc).changes;
    return added;
  }

  /** Drops entries older than `before` whose version this node no longer holds (a range over the versions' key finds one by its prefix: hashes are lowercase hex, and `g` sorts after them). */
  forgetOlderThan(before: number): number {
    if (!this.present || this.db.readonly) return 0;
    return this.db
      .prepare("DELETE FROM superseded WHERE hlc < ? AND NOT EXISTS (SELECT 1 FROM versions WHERE versions.hash >= superseded.prefix AND versions.hash < superseded.prefix || 'g')")
      .run(before).changes;
  }

  lastApplied(): AppliedRetention | undefined {
    if (!this.present) return undefined;
    const r = this.db.prepare('SELECT setting, policy, as_of FROM retention_applied WHERE id = 0').get() as { setting: string; policy: string; as_of: number } | undefined;
    return r && { setting: r.setting, policy: JSON.parse(r.policy) as RetentionPolicy, asOf: r.as_of };
  }

  recordApplied(a: AppliedRetention): void {
    if (!this.present || this.db.readonly) return;
    this.db.prepare('INSERT OR REPLACE INTO retention_applied (id, setting, policy, as_of) VALUES (0, ?, ?, ?)').run(a.setting, JSON.stringify(a.policy), a.asOf);
  }
}
