/**
 * Segments applied here and since found collected (docs/PROTOCOL.md §3.10), kept compactly. Such a
 * segment is gone from the remote, and a checkpoint that stays listed bundles it; this node still
 * needs its key for ever: checkpoints it writes bundle it again, a copy of it the storage brings
 * back is not read twice, and a checkpoint covering its number shows no gap (§3.9). Kept as rows
 * of `segments` and `collected_segments`, the keys cost about 300 bytes a segment, most of what
 * `state.db` grew by in a long history (issue 18). A key is `log/<writer>/<seq>-<hash16>`, so a
 * run of consecutive numbers of one writer keeps, in one row, only 8 bytes a segment: its hash.
 *
 * A segment in a run reads as a row would say (applied, collected); before anything changes one,
 * its run goes back to rows (`explode`). Only segments nothing else refers to by name go into runs:
 * not in the journal, announcing no condemned pack still remembered, and alone at their number (a
 * writer id that forked has two segments there).
 */
import type Database from 'better-sqlite3';
import { parseSegmentKey, segmentStem } from '../model/segment-key.js';

const SCHEMA = 'CREATE TABLE IF NOT EXISTS segment_runs (writer TEXT NOT NULL, first INTEGER NOT NULL, hashes BLOB NOT NULL, PRIMARY KEY (writer, first)) WITHOUT ROWID';

const HASH_BYTES = 8;
/** Fewer candidates wait: each compaction writes a row, so a run grows by a batch, not by one segment a round. */
export const COMPACT_AFTER = 32;
/** A run no longer grows past this many segments (64 KiB): appending rewrites its row. */
const MAX_RUN = 8192;

const keyOf = (writer: string, seq: number, hashes: Buffer, i: number) => `${segmentStem(writer, seq)}-${hashes.toString('hex', i * HASH_BYTES, (i + 1) * HASH_BYTES)}`;

interface Run {
  writer: string;
  first: number;
  hashes: Buffer;
}

/** One segment of a run. */
export interface RunSegment {
  key: string;
  writer: string;
  seq: number;
}

const ready = new WeakSet<Database.Database>();

export class SegmentRuns {
  /** False on a read-only connection to a state that never had the table: then there are none. */
  private readonly present: boolean;

  constructor(private readonly db: Database.Database) {
    if (!ready.has(db) && !db.readonly) {
      db.exec(SCHEMA);
      ready.add(db);
    }
    this.present = ready.has(db) || db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'segment_runs'").get() !== undefined;
  }

  private runs(): Run[] {
    return this.present ? (this.db.prepare('SELECT writer, first, hashes FROM segment_runs ORDER BY writer, first').all() as Run[]) : [];
  }

  /** Every segment in a run. */
  segments(): RunSegment[] {
    const out: RunSegment[] = [];
    for (const r of this.runs()) for (let i = 0; i < r.hashes.length / HASH_BYTES; i++) out.push({ key: keyOf(r.writer, r.first + i, r.hashes, i), writer: r.writer, seq: r.first + i });
    return out;
  }

  keys(): string[] {
    return this.segments().map((s) => s.key);
  }

  count(): number {
    return this.present ? (this.db.prepare('SELECT COALESCE(SUM(length(hashes)), 0) AS n FROM segment_runs').get() as { n: number }).n / HASH_BYTES : 0;
  }

  /** The run holding a key, if any. */
  private runOf(key: string): Run | undefined {
    const k = this.present ? parseSegmentKey(key) : undefined;
    if (!k) return undefined;
    const r = this.db.prepare('SELECT writer, first, hashes FROM segment_runs WHERE writer = ? AND first <= ? ORDER BY first DESC LIMIT 1').get(k.writer, k.seq) as Run | undefined;
    const i = r ? k.seq - r.first : -1;
    return r && i < r.hashes.length / HASH_BYTES && r.hashes.toString('hex', i * HASH_BYTES, (i + 1) * HASH_BYTES) === k.hash ? r : undefined;
  }

  has(key: string): boolean {
    return this.runOf(key) !== undefined;
  }

  /** Before a segment's row changes: its run, if any, becomes rows again (applied, collected). */
  explode(key: string): void {
    const r = this.runOf(key);
    if (!r) return;
    const row = this.db.prepare("INSERT OR IGNORE INTO segments (key, writer, seq, state) VALUES (?, ?, ?, 'applied')");
    const collected = this.db.prepare('INSERT OR IGNORE INTO collected_segments (segment) VALUES (?)');
    for (let i = 0; i < r.hashes.length / HASH_BYTES; i++) {
      const k = keyOf(r.writer, r.first + i, r.hashes, i);
      row.run(k, r.writer, r.first + i);
      collected.run(k);
    }
    this.db.prepare('DELETE FROM segment_runs WHERE writer = ? AND first = ?').run(r.writer, r.first);
  }

  /** Moves applied, collected segments nothing else names into runs, once there are enough of them (inside the caller's transaction). */
  compact(after = COMPACT_AFTER): number {
    if (!this.present || this.db.readonly) return 0;
    const candidates = this.candidates();
    if (candidates.length < Math.max(1, after)) return 0;
    const byWriter = new Map<string, { seq: number; key: string }[]>();
    for (const c of candidates) (byWriter.get(c.writer) ?? byWriter.set(c.writer, []).get(c.writer)!).push(c);
    for (const [writer, list] of byWriter) this.compactWriter(writer, list);
    return candidates.length;
  }

  private candidates(): RunSegment[] {
    const table = (name: string) => this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
    if (!table('collected_segments')) return []; // made at the first checkpoint read (collection-table.ts): nothing found collected yet
    const condemned = table('condemned_packs');
    return this.db
      .prepare(
        `SELECT s.key, s.writer, s.seq FROM segments s JOIN collected_segments c ON c.segment = s.key
         WHERE s.state = 'applied' AND NOT EXISTS (SELECT 1 FROM journal j WHERE j.key = s.key)
         AND NOT EXISTS (SELECT 1 FROM segments o WHERE o.writer = s.writer AND o.seq = s.seq AND o.key <> s.key)
         ${condemned ? 'AND NOT EXISTS (SELECT 1 FROM condemned_packs p WHERE p.segment = s.key)' : ''}
         ORDER BY s.writer, s.seq`,
      )
      .all() as RunSegment[];
  }

  /** Consecutive numbers become one run, appended to the run just before them where it has room. */
  private compactWriter(writer: string, list: { seq: number; key: string }[]): void {
    const dropRow = this.db.prepare('DELETE FROM segments WHERE key = ?');
    const dropCollected = this.db.prepare('DELETE FROM collected_segments WHERE segment = ?');
    // A number a run holds already stays a row here: a forked writer id's other segment there.
    const taken = new Set(
      this.segments()
        .filter((s) => s.writer === writer)
        .map((s) => s.seq),
    );
    const free = list.filter((c) => !taken.has(c.seq));
    for (let i = 0; i < free.length;) {
      let j = i + 1;
      while (j < free.length && free[j]!.seq === free[j - 1]!.seq + 1) j++;
      const batch = free.slice(i, j);
      i = j;
      this.appendRun(writer, batch);
      for (const c of batch) {
        dropRow.run(c.key);
        dropCollected.run(c.key);
      }
    }
  }

  private appendRun(writer: string, batch: { seq: number; key: string }[]): void {
    const hashes = Buffer.from(batch.map((c) => c.key.slice(-16)).join(''), 'hex');
    const before = this.db.prepare('SELECT first, hashes FROM segment_runs WHERE writer = ? AND first < ? ORDER BY first DESC LIMIT 1').get(writer, batch[0]!.seq) as Run | undefined;
    if (before && before.first + before.hashes.length / HASH_BYTES === batch[0]!.seq && before.hashes.length / HASH_BYTES + batch.length <= MAX_RUN) {
      this.db.prepare('UPDATE segment_runs SET hashes = ? WHERE writer = ? AND first = ?').run(Buffer.concat([before.hashes, hashes]), writer, before.first);
    } else {
      this.db.prepare('INSERT INTO segment_runs (writer, first, hashes) VALUES (?, ?, ?)').run(writer, batch[0]!.seq, hashes);
    }
  }
}

const cached = new WeakMap<Database.Database, SegmentRuns>();

/** The runs of a state database (one object per connection). */
export const segmentRuns = (db: Database.Database): SegmentRuns => cached.get(db) ?? cached.set(db, new SegmentRuns(db)).get(db)!;
