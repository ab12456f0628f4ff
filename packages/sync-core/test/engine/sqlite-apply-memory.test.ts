/**
 * Applying an incoming version of a large SQLite database does not hold it in memory: the
 * backup's source connection keeps a small page cache (local/sqlite-snapshot.ts).
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { applySqlite, integrityCheck } from '../../src/local/sqlite-snapshot.js';
import { cleanupDatabases, folderWithLargeDatabase, MB, peakRise, ROWS, rowsIn } from './large-sqlite.js';

afterAll(cleanupDatabases);

describe('an incoming version of a large database (48 MB)', () => {
  it.skipIf(process.platform !== 'linux')('is applied with less memory than a copy through a full page cache would take', async () => {
    const { dir, database } = await folderWithLargeDatabase();
    const live = join(dir, 'live.sqlite');
    const app = new Database(live);
    app.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, body BLOB)');
    app.close();
    const rise = await peakRise(() => applySqlite(database, live));
    expect(rise).toBeLessThan(26 * MB); // as for a snapshot: 16 MB is the destination's cache
    expect(integrityCheck(live)).toBe('ok');
    expect(rowsIn(live)).toBe(ROWS);
  });
});
