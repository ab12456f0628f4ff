/**
 * The author objects this node has read (engine/author-object.ts), in the state database's own
 * table: `log` names people from here without a request. A state made before authors existed
 * has no table until a writable open creates it; a read-only open then just knows no author.
 */
import type Database from 'better-sqlite3';
import type { Author, AuthorRecord } from '../model/author.js';

interface Row {
  key: string;
  writer: string;
  from_seq: number;
  user: string;
  machine: string;
}

export class AuthorsTable {
  private readonly present: boolean;

  constructor(private readonly db: Database.Database) {
    // A row with an empty user is an object that was not a valid author: remembered so it is
    // reported once, not read again every round.
    if (!db.readonly) db.exec('CREATE TABLE IF NOT EXISTS authors (key TEXT PRIMARY KEY, writer TEXT NOT NULL, from_seq INTEGER NOT NULL, user TEXT NOT NULL, machine TEXT NOT NULL)');
    this.present = !!db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'authors'").get();
  }

  add(r: AuthorRecord): void {
    this.db.prepare('INSERT OR IGNORE INTO authors (key, writer, from_seq, user, machine) VALUES (?, ?, ?, ?, ?)').run(r.key, r.writer, r.fromSeq, r.user, r.machine);
  }

  /** An object that is not a valid author object: never read again (unless it is replaced, which write-once objects are not). */
  addInvalid(key: string): void {
    this.db.prepare("INSERT OR IGNORE INTO authors (key, writer, from_seq, user, machine) VALUES (?, '', 0, '', '')").run(key);
  }

  keys(): Set<string> {
    if (!this.present) return new Set();
    return new Set((this.db.prepare('SELECT key FROM authors').all() as { key: string }[]).map((r) => r.key));
  }

  /**
   * Who wrote under `writer` at segment `seq`: the object with the highest `fromSeq` not above it
   * (or, for a version whose own segment is unknown here, `seq` undefined, the writer's first).
   */
  resolver(): (writer: string, seq: number | undefined) => Author | undefined {
    const byWriter = new Map<string, Row[]>();
    if (this.present) for (const r of this.db.prepare("SELECT * FROM authors WHERE user <> '' ORDER BY from_seq").all() as Row[]) byWriter.set(r.writer, [...(byWriter.get(r.writer) ?? []), r]);
    return (writer, seq) => {
      const rows = byWriter.get(writer);
      if (!rows) return undefined;
      const found = seq === undefined ? rows[0] : ([...rows].reverse().find((r) => r.from_seq <= seq) ?? rows[0]);
      return found && { user: found.user, machine: found.machine };
    };
  }
}
