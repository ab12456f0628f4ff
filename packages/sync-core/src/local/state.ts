/**
 * Layer `local/` (above `model/`): this machine's side of a library: the state database, the
 * folder walk, reading files in chunks and writing versions into the folder. It never imports
 * from `engine/`; the engine drives it.
 *
 * The library's local state, in SQLite (WAL, transactional): integrating a batch of remote
 * changes is all-or-nothing, and a SIGKILL at any point leaves the previous state intact.
 * Lives in `<library>/.syncacross/state.db` (never synced), or wherever `stateDir` says (a
 * library on a network share must not hold a SQLite database there).
 */
import Database from 'better-sqlite3';
import type { ChunkLocation } from '../model/chunk-location.js';
import type { HashedVersion, Version } from '../model/version.js';
import { RoundStateStore } from './round-state.js';
import { createSchema, openStateDatabase } from './state-database.js';
import { segmentRuns } from './segment-runs.js';

export interface LocalRecord {
  path: string; // path on disk, relative, as the file system spells it
  treePath: string; // the tree path it stands for (differs for conflict copies and case clashes)
  version: string; // the version the file was last known to hold
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS segments (key TEXT PRIMARY KEY, writer TEXT NOT NULL, seq INTEGER NOT NULL, state TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS journal (seq INTEGER NOT NULL, writer TEXT NOT NULL, key TEXT NOT NULL UNIQUE, bytes BLOB NOT NULL, uploaded INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (writer, seq));
CREATE TABLE IF NOT EXISTS versions (hash TEXT PRIMARY KEY, path TEXT NOT NULL, json TEXT NOT NULL, segment TEXT);
CREATE INDEX IF NOT EXISTS versions_path ON versions(path);
CREATE INDEX IF NOT EXISTS versions_pending ON versions(hash) WHERE segment IS NULL; -- every round asks; not a scan of every version
CREATE TABLE IF NOT EXISTS chunk_locations (hash TEXT NOT NULL, pack TEXT NOT NULL, offset INTEGER NOT NULL, length INTEGER NOT NULL, segment TEXT, PRIMARY KEY (hash, pack));
CREATE INDEX IF NOT EXISTS chunk_locations_pack ON chunk_locations(pack);
CREATE TABLE IF NOT EXISTS local (path TEXT PRIMARY KEY, tree_path TEXT NOT NULL, version TEXT NOT NULL, size INTEGER NOT NULL, mtime_ms REAL NOT NULL, ctime_ms REAL NOT NULL, ino INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS lost_announcements (segment TEXT NOT NULL, pack TEXT NOT NULL, PRIMARY KEY (segment, pack)); -- lost-announcements.ts
CREATE TABLE IF NOT EXISTS planned_writes (path TEXT PRIMARY KEY, tree_path TEXT NOT NULL, version TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS planned_writes_nocase ON planned_writes(path COLLATE NOCASE);
`;

export class LocalState {
  readonly db: Database.Database;

  /**
   * `readonly`: for commands that only look (status, log, conflicts). They take no lock and run
   * beside a sync: in WAL mode a reader sees the last committed state while a writer goes on.
   */
  constructor(file: string, options: { readonly?: boolean } = {}) {
    this.db = openStateDatabase(file, options);
    if (!options.readonly) createSchema(this.db, SCHEMA);
  }

  close(): void {
    this.db.close();
  }

  // Prepared statements are compiled once per connection: most methods here run per file.
  private readonly statements = new Map<string, Database.Statement>();
  private prepare(sql: string): Database.Statement {
    let st = this.statements.get(sql);
    if (!st) {
      st = this.db.prepare(sql);
      this.statements.set(sql, st);
    }
    return st;
  }

  integrityCheck(): string {
    return String(this.db.pragma('integrity_check', { simple: true }));
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  /** The round's durable state, typed (round-state.ts): how steps talk to each other across a crash. */
  readonly round = new RoundStateStore({ get: (k) => this.getMeta(k), set: (k, v) => this.setMeta(k, v) });

  /** The `meta` table, raw: only `round` reads and writes it, so every key is typed and documented there. */
  private getMeta(k: string): string | undefined {
    return (this.prepare('SELECT v FROM meta WHERE k = ?').get(k) as { v: string } | undefined)?.v;
  }
  private setMeta(k: string, v: string): void {
    this.prepare('INSERT INTO meta (k, v) VALUES (?, ?) ON CONFLICT(k) DO UPDATE SET v = excluded.v').run(k, v);
  }

  /** Every segment this node holds a row for, or keeps in a run (segment-runs.ts: applied, collected, changed only once made a row again). */
  knownSegments(): Set<string> {
    const rows = this.prepare('SELECT key FROM segments').all() as { key: string }[];
    return new Set([...rows.map((r) => r.key), ...segmentRuns(this.db).keys()]);
  }
  recordSegment(key: string, writer: string, seq: number, state: 'applied' | 'corrupt'): void {
    segmentRuns(this.db).explode(key);
    this.prepare('INSERT OR REPLACE INTO segments (key, writer, seq, state) VALUES (?, ?, ?, ?)').run(key, writer, seq, state);
  }
  segmentState(key: string): 'applied' | 'corrupt' | 'republished' | undefined {
    const row = this.prepare('SELECT state FROM segments WHERE key = ?').get(key) as { state: 'applied' | 'corrupt' | 'republished' } | undefined;
    return row?.state ?? (segmentRuns(this.db).has(key) ? 'applied' : undefined);
  }
  /**
   * Another writer's segment the remote lost: its versions and the locations it published become
   * pending here, to go out again in this node's next segment (same versions, same hashes).
   */
  republishSegment(key: string): void {
    this.transaction(() => {
      segmentRuns(this.db).explode(key);
      this.prepare('UPDATE versions SET segment = NULL WHERE segment = ?').run(key);
      this.prepare('UPDATE chunk_locations SET segment = NULL WHERE segment = ?').run(key);
      this.prepare("UPDATE segments SET state = 'republished' WHERE key = ?").run(key);
    });
  }
  /** Segments condemned as corrupt, or other writers' segments the remote lost and this node sent out again (`republishSegment`). */
  segmentsIn(state: 'corrupt' | 'republished'): string[] {
    return (this.prepare('SELECT key FROM segments WHERE state = ?').all(state) as { key: string }[]).map((r) => r.key);
  }

  addVersion(v: HashedVersion, segment: string | null): boolean {
    const { hash, ...rest } = v;
    return this.prepare('INSERT OR IGNORE INTO versions (hash, path, json, segment) VALUES (?, ?, ?, ?)').run(hash, v.path, JSON.stringify(rest), segment).changes > 0;
  }
  allVersions(): HashedVersion[] {
    return (this.prepare('SELECT hash, json FROM versions').all() as { hash: string; json: string }[]).map(withStoredHash);
  }
  versionsOf(path: string): HashedVersion[] {
    return (this.prepare('SELECT hash, json FROM versions WHERE path = ?').all(path) as { hash: string; json: string }[]).map(withStoredHash);
  }
  /** The segment each version came in (or went out in), by version hash; versions not committed yet are absent. */
  versionSegments(): Map<string, string> {
    return new Map((this.prepare('SELECT hash, segment FROM versions WHERE segment IS NOT NULL').all() as { hash: string; segment: string }[]).map((r) => [r.hash, r.segment]));
  }
  /** The paths of the versions a segment carried, as this node applied them (to name what a lost segment affects). */
  pathsInSegment(key: string): string[] {
    return (this.prepare('SELECT DISTINCT path FROM versions WHERE segment = ? ORDER BY path').all(key) as { path: string }[]).map((r) => r.path);
  }
  version(hash: string): HashedVersion | undefined {
    const r = this.prepare('SELECT json FROM versions WHERE hash = ?').get(hash) as { json: string } | undefined;
    return r ? withStoredHash({ hash, json: r.json }) : undefined;
  }
  /** Versions created here and not yet in an uploaded segment. */
  pendingVersions(): HashedVersion[] {
    return (this.prepare('SELECT hash, json FROM versions WHERE segment IS NULL').all() as { hash: string; json: string }[]).map(withStoredHash);
  }
  hasPendingVersions(): boolean {
    return this.prepare('SELECT 1 FROM versions WHERE segment IS NULL LIMIT 1').get() !== undefined;
  }
  assignSegment(hashes: string[], segment: string): void {
    const st = this.prepare('UPDATE versions SET segment = ? WHERE hash = ?');
    for (const h of hashes) st.run(segment, h);
  }

  chunk(hash: string): ChunkLocation | undefined {
    // The location learned last: after a loss, re-uploaded content is the one most likely there.
    const r = this.prepare('SELECT pack, offset, length FROM chunk_locations WHERE hash = ? ORDER BY rowid DESC LIMIT 1').get(hash) as { pack: string; offset: number; length: number } | undefined;
    return r ? [hash, r.pack, r.offset, r.length] : undefined;
  }
  hasChunk(hash: string): boolean {
    return this.prepare('SELECT 1 FROM chunk_locations WHERE hash = ?').get(hash) !== undefined;
  }
  /**
   * Records where a chunk lives; `segment` is the segment that published the location (null: not
   * yet). A chunk may live in several packs (uploaded again after a loss): every location is kept,
   * so forgetting a lost pack never forgets a live copy.
   */
  addChunk(c: ChunkLocation, segment: string | null): void {
    this.prepare('INSERT OR IGNORE INTO chunk_locations (hash, pack, offset, length, segment) VALUES (?, ?, ?, ?, ?)').run(...c, segment);
  }
  /** A new pack's locations, unpublished, in hash order: the order the commit reads and marks them in (a chunk is once in a pack). */
  addPackChunks(locations: ChunkLocation[]): void {
    const sorted = [...locations].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    this.transaction(() => sorted.forEach((l) => this.addChunk(l, null)));
  }
  /** Every pack some known chunk lives in. */
  packsInUse(): string[] {
    return (this.prepare('SELECT DISTINCT pack FROM chunk_locations').all() as { pack: string }[]).map((r) => r.pack);
  }
  /**
   * Packs the remote no longer has: locations in them are forgotten, so nothing tries to read them
   * and content still on disk somewhere is uploaded again (a later segment may place it anywhere,
   * the same pack rebuilt included). Returns how many locations were forgotten.
   */
  forgetPacks(packs: Iterable<string>): number {
    const forget = this.prepare('DELETE FROM chunk_locations WHERE pack = ?');
    let forgotten = 0;
    for (const p of packs) forgotten += forget.run(p).changes;
    return forgotten;
  }
  /** The chunks with a location in any of these packs. */
  chunksIn(packs: string[]): string[] {
    if (packs.length === 0) return [];
    const rows = this.db.prepare(`SELECT DISTINCT hash FROM chunk_locations WHERE pack IN (${packs.map(() => '?').join(',')})`).all(...packs) as { hash: string }[];
    return rows.map((r) => r.hash);
  }
  /** Every location no segment has published yet (chunks re-uploaded after a loss, or left by a crash). */
  allUnpublishedChunks(): ChunkLocation[] {
    return (
      this.prepare('SELECT hash, pack, offset, length FROM chunk_locations WHERE segment IS NULL ORDER BY hash, pack').all() as { hash: string; pack: string; offset: number; length: number }[]
    ).map((r) => [r.hash, r.pack, r.offset, r.length]);
  }
  /** Locations of these chunks that no segment has published yet. */
  unpublishedChunks(hashes: Iterable<string>): ChunkLocation[] {
    const st = this.prepare('SELECT pack, offset, length FROM chunk_locations WHERE hash = ? AND segment IS NULL');
    const out: ChunkLocation[] = [];
    for (const h of [...new Set(hashes)].sort()) {
      const r = st.get(h) as { pack: string; offset: number; length: number } | undefined;
      if (r) out.push([h, r.pack, r.offset, r.length]);
    }
    return out;
  }
  /** `hashes` as the commit has them, in hash order (`unpublishedChunks`, `allUnpublishedChunks`): the order their rows are stored in. */
  publishChunks(hashes: string[], segment: string): void {
    const st = this.prepare('UPDATE chunk_locations SET segment = ? WHERE hash = ? AND segment IS NULL');
    for (const h of hashes) st.run(segment, h);
  }
  /** Undo a journaled-but-never-uploaded segment: its versions and chunks become pending again. */
  dropJournal(key: string): void {
    this.prepare('DELETE FROM journal WHERE key = ?').run(key);
    segmentRuns(this.db).explode(key);
    this.prepare('UPDATE versions SET segment = NULL WHERE segment = ?').run(key);
    this.prepare('UPDATE chunk_locations SET segment = NULL WHERE segment = ?').run(key);
    this.prepare('DELETE FROM segments WHERE key = ?').run(key);
  }

  journal(writer: string): { seq: number; key: string; bytes: Uint8Array; uploaded: boolean }[] {
    const rows = this.prepare('SELECT seq, key, bytes, uploaded FROM journal WHERE writer = ? ORDER BY seq').all(writer) as { seq: number; key: string; bytes: Buffer; uploaded: number }[];
    return rows.map((r) => ({ ...r, bytes: new Uint8Array(r.bytes), uploaded: r.uploaded === 1 }));
  }
  /** Entries of every writer id this node has used (a retired incarnation's uploads included), without their bytes (every round reads this). */
  journalIndex(): { writer: string; seq: number; key: string; uploaded: boolean }[] {
    const rows = this.prepare('SELECT writer, seq, key, uploaded FROM journal ORDER BY writer, seq').all() as { writer: string; seq: number; key: string; uploaded: number }[];
    return rows.map((r) => ({ ...r, uploaded: r.uploaded === 1 }));
  }
  /** Keys of every journaled segment; `unsentOnly`: those not yet sent (uploaded = 0). */
  journalKeys(unsentOnly = false): Set<string> {
    return new Set((this.prepare(`SELECT key FROM journal${unsentOnly ? ' WHERE uploaded = 0' : ''}`).all() as { key: string }[]).map((r) => r.key));
  }
  addJournal(writer: string, seq: number, key: string, bytes: Uint8Array): void {
    this.prepare('INSERT INTO journal (writer, seq, key, bytes) VALUES (?, ?, ?, ?)').run(writer, seq, key, Buffer.from(bytes));
  }
  markUploaded(key: string): void {
    this.prepare('UPDATE journal SET uploaded = 1 WHERE key = ?').run(key);
  }
  unuploaded(): { key: string; writer: string; bytes: Uint8Array }[] {
    const rows = this.prepare('SELECT key, writer, bytes FROM journal WHERE uploaded = 0 ORDER BY writer, seq').all() as { key: string; writer: string; bytes: Buffer }[];
    return rows.map((r) => ({ ...r, bytes: new Uint8Array(r.bytes) }));
  }
  journalBytes(key: string): Uint8Array | undefined {
    const r = this.prepare('SELECT bytes FROM journal WHERE key = ?').get(key) as { bytes: Buffer } | undefined;
    return r ? new Uint8Array(r.bytes) : undefined;
  }

  localRecords(): Map<string, LocalRecord> {
    // Rows already in the record's shape: a no-op over 100,000 files spent a tenth of its time
    // building each record twice.
    const rows = this.prepare('SELECT path, tree_path AS treePath, version, size, mtime_ms AS mtimeMs, ctime_ms AS ctimeMs, ino FROM local').all() as LocalRecord[];
    const out = new Map<string, LocalRecord>();
    for (const r of rows) out.set(r.path, r);
    return out;
  }
  putLocal(r: LocalRecord): void {
    const row = [r.path, r.treePath, r.version, r.size, r.mtimeMs, r.ctimeMs, r.ino];
    this.prepare('INSERT OR REPLACE INTO local (path, tree_path, version, size, mtime_ms, ctime_ms, ino) VALUES (?, ?, ?, ?, ?, ?, ?)').run(...row);
  }
  removeLocal(path: string): void {
    this.prepare('DELETE FROM local WHERE path = ?').run(path);
  }

  /**
   * What materialization is about to write, stored before the first rename (replacing any earlier
   * plan): after a crash between a rename and its record, the scan knows whose content it is.
   */
  planWrites(writes: { path: string; treePath: string; version: string }[]): void {
    this.transaction(() => {
      this.prepare('DELETE FROM planned_writes').run();
      const st = this.prepare('INSERT OR REPLACE INTO planned_writes (path, tree_path, version) VALUES (?, ?, ?)');
      for (const w of writes) st.run(w.path, w.treePath, w.version);
    });
  }
  /**
   * The plan for the file at `path`. `foldedCase`: or for another spelling of it (a disk that
   * folds case puts `d/e/f.txt` in a folder `D/` the user made meanwhile). Upper and lower case of
   * ASCII letters only, as SQLite folds them: other letters are matched as spelled.
   */
  plannedWrite(path: string, foldedCase = false): { treePath: string; version: string } | undefined {
    type Row = { path: string; tree_path: string; version: string };
    const rows = this.prepare(`SELECT path, tree_path, version FROM planned_writes WHERE path = ?${foldedCase ? ' COLLATE NOCASE' : ''}`).all(path) as Row[];
    const r = rows.find((p) => p.path === path) ?? rows[0];
    return r ? { treePath: r.tree_path, version: r.version } : undefined;
  }
}

/** A stored version, its hash set on the parsed object itself (no copy: 100,000 of them load at once). */
export const withStoredHash = (r: { hash: string; json: string }): HashedVersion => Object.assign(JSON.parse(r.json) as Version, { hash: r.hash });
