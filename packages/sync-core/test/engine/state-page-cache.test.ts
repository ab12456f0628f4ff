/**
 * The state database keeps a small page cache (local/state-database.ts): reading a large state
 * through it raises peak memory by about the cache's size, not by better-sqlite3's 16 MB default.
 * A state is a SQLite database like any other, so a large one is made as the copy tests make theirs.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { LocalState } from '../../src/local/state.js';
import { cleanupDatabases, folderWithLargeDatabase, MB, peakRise, ROWS } from './large-sqlite.js';

afterAll(cleanupDatabases);

describe('the state database (48 MB)', () => {
  it.skipIf(process.platform !== 'linux')('is read through a page cache of a few megabytes', async () => {
    const { database } = await folderWithLargeDatabase();
    const state = new LocalState(database);
    try {
      let read = 0;
      const rise = await peakRise(async () => {
        read = (state.db.prepare('SELECT count(*) AS n, sum(length(body)) AS bytes FROM notes').get() as { bytes: number }).bytes;
      });
      expect(read).toBe(ROWS * 4000); // every page went through the cache
      // 4 MB of cache: the rise is about 4 MB here, and 16 MB with better-sqlite3's default.
      expect(rise).toBeLessThan(10 * MB);
    } finally {
      state.close();
    }
  });
});
