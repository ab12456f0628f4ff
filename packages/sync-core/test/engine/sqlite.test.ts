/** Live SQLite databases arrive intact: snapshots and applies go through SQLite itself. */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryStorage } from '@syncacross/sync-core/testing';
import { integrityCheck as sqliteIntegrityCheck } from '../../src/local/sqlite-snapshot.js';
import { cleanup, makeNode } from './helpers.js';

afterEach(cleanup);

function createDb(path: string, rows: number): Database.Database {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE IF NOT EXISTS items (id INTEGER PRIMARY KEY, uuid TEXT, body TEXT); CREATE INDEX IF NOT EXISTS items_uuid ON items(uuid)');
  const insert = db.prepare('INSERT INTO items (uuid, body) VALUES (?, ?)');
  db.transaction(() => {
    for (let i = 0; i < rows; i++) insert.run(crypto.randomUUID(), 'x'.repeat(200));
  })();
  return db;
}

describe('SQLite databases', () => {
  it('a database written continuously during sync arrives intact on every node', async () => {
    const remote = createMemoryStorage();
    const a = await makeNode(remote, 'a');
    const b = await makeNode(remote, 'b');
    const db = createDb(join(a.dir, 'library.sqlite'), 5000);
    const insert = db.prepare('INSERT INTO items (uuid, body) VALUES (?, ?)');
    let writing = true;
    const writer = (async () => {
      while (writing) {
        db.transaction(() => {
          for (let i = 0; i < 50; i++) insert.run(crypto.randomUUID(), 'y'.repeat(300));
        })();
        await new Promise((r) => setTimeout(r, 2));
      }
    })();
    for (let i = 0; i < 4; i++) {
      await a.sync();
      await b.sync();
      const copy = join(b.dir, 'library.sqlite');
      expect(sqliteIntegrityCheck(copy)).toBe('ok');
      const reader = new Database(copy, { readonly: true });
      const rows = (reader.prepare('SELECT count(*) AS n FROM items').get() as { n: number }).n;
      reader.close();
      expect(rows).toBeGreaterThanOrEqual(5000);
    }
    writing = false;
    await writer;
    db.close();
    // -wal and -shm never travel (B has its own, from opening its copy).
    expect([...new Set(a.lib.history().map((h) => h.path))]).toEqual(['library.sqlite']);
    expect([...new Set(b.lib.history().map((h) => h.path))]).toEqual(['library.sqlite']);
    await a.lib.close();
    await b.lib.close();
  });

  it('a database of one read or of many is staged from a snapshot; a file that only starts like one is not', async () => {
    const remote = createMemoryStorage();
    const a = await makeNode(remote, 'a');
    createDb(join(a.dir, 'small.sqlite'), 50).close(); // tens of KiB: read in one call
    const large = createDb(join(a.dir, 'large.sqlite'), 20_000); // MiBs, and held open by an app
    await writeFile(join(a.dir, 'looks-like.db'), 'SQLite format 3\0 but nothing more');
    expect((await a.sync()).errors).toEqual([]);
    const kinds = Object.fromEntries(
      ((a.lib as unknown as { state: { db: Database.Database } }).state.db.prepare('SELECT path, json FROM versions').all() as { path: string; json: string }[]).map((r) => [
        r.path,
        (JSON.parse(r.json) as { kind: string }).kind,
      ]),
    );
    expect(kinds).toEqual({ 'small.sqlite': 'sqlite', 'large.sqlite': 'sqlite', 'looks-like.db': 'file' });
    const b = await makeNode(remote, 'b');
    await b.sync();
    for (const name of ['small.sqlite', 'large.sqlite']) expect(sqliteIntegrityCheck(join(b.dir, name)), name).toBe('ok');
    large.close();
    await a.lib.close();
    await b.lib.close();
  });

  it('an incoming version is applied through SQLite while an app holds the database open', async () => {
    const remote = createMemoryStorage();
    const a = await makeNode(remote, 'a');
    const b = await makeNode(remote, 'b');
    const dbA = createDb(join(a.dir, 'app.db'), 100);
    dbA.close();
    await a.sync();
    await b.sync();
    const app = new Database(join(b.dir, 'app.db')); // the app on B keeps its connection
    expect((app.prepare('SELECT count(*) AS n FROM items').get() as { n: number }).n).toBe(100);
    const moreA = createDb(join(a.dir, 'app.db'), 1000);
    moreA.close();
    await a.sync();
    await b.sync();
    expect((app.prepare('SELECT count(*) AS n FROM items').get() as { n: number }).n).toBe(1100);
    expect(String(app.pragma('integrity_check', { simple: true }))).toBe('ok');
    app.close();
    await a.lib.close();
    await b.lib.close();
  });

  // Format 2 compresses and seals each page on its own (docs/PROTOCOL.md §3.5-3.6): a delta stays a delta.
  const encrypted = { newRepository: { format: 2 as const, encrypt: true, kdf: { N: 1024, r: 8, p: 1 } }, secret: { passphrase: 'pages' } };
  it.each([
    ['', {}],
    [' (encrypted, compressed repository)', encrypted],
  ])('a small change to a big database uploads only the pages that changed%s', async (_, options) => {
    const remote = createMemoryStorage();
    const a = await makeNode(remote, 'a', options);
    const db = createDb(join(a.dir, 'big.db'), 60_000); // ~16 MiB
    const first = (await a.sync()).uploaded.bytes;
    db.transaction(() => {
      const insert = db.prepare('INSERT INTO items (uuid, body) VALUES (?, ?)');
      for (let i = 0; i < 200; i++) insert.run(crypto.randomUUID(), 'z'.repeat(200));
    })();
    db.close();
    const s = await a.sync();
    expect(s.uploaded.bytes).toBeLessThan(2 * 1024 * 1024);
    // Compressed, the whole database is only a few MiB: the delta must still be a small part of it.
    expect(s.uploaded.bytes).toBeLessThan(first / 4);
    await a.lib.close();
  });
});
