/**
 * `Library.unsyncedChanges()` names what the folder holds that the last sync did not take as it is
 * now: new, changed and removed paths, and what a sync leaves alone (with the sync's own words),
 * from stats alone. Before, `status` said only "0 versions pending" of a folder full of edits.
 * Checked against what the next sync then does, so the two cannot drift apart.
 */
import { chmodSync, mkdirSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { createMemoryStorage } from '@syncacross/sync-core/testing';
import { cleanup, makeNode } from './helpers.js';

afterAll(cleanup);

const nothing = { added: [], changed: [], removed: [], notSynced: [], deletionsHeld: false };

describe('changes not synced yet', () => {
  it('new, changed and removed files, from stats alone, and none once synced', async () => {
    const remote = createMemoryStorage();
    const a = await makeNode(remote, 'a', { exclude: ['*.tmp'] });
    mkdirSync(join(a.dir, 'notes'));
    for (const name of ['keep.md', 'edit.md', 'drop.md', 'touch.md']) writeFileSync(join(a.dir, 'notes', name), `${name}\n`);
    expect(await a.lib.unsyncedChanges()).toEqual({ ...nothing, added: ['notes/drop.md', 'notes/edit.md', 'notes/keep.md', 'notes/touch.md'] });
    await a.sync();
    // Right after a sync, files written a moment before it (their records racily clean) are not changes.
    expect(await a.lib.unsyncedChanges()).toEqual(nothing);

    writeFileSync(join(a.dir, 'notes', 'edit.md'), 'edited\n');
    rmSync(join(a.dir, 'notes', 'drop.md'));
    writeFileSync(join(a.dir, 'new.md'), 'new\n');
    mkdirSync(join(a.dir, 'empty'));
    writeFileSync(join(a.dir, 'scratch.tmp'), 'excluded\n');
    utimesSync(join(a.dir, 'notes', 'touch.md'), new Date(), new Date(Date.now() + 60_000));
    symlinkSync('/etc/hostname', join(a.dir, 'link'));
    const before = a.lib.storage.totalRequests();

    const changes = await a.lib.unsyncedChanges();
    expect(changes).toEqual({
      added: ['empty/', 'new.md'],
      changed: ['notes/edit.md', 'notes/touch.md'], // touched only: named by its stat, as said
      removed: ['notes/drop.md'],
      notSynced: [{ path: 'link', reason: 'symbolic links are not synced' }],
      deletionsHeld: false,
    });
    expect(a.lib.storage.totalRequests()).toBe(before); // no request

    // What the sync then does: the same paths (the touched file makes no version, as stats cannot tell).
    const round = await a.sync();
    expect(round.local).toEqual({ added: 2, changed: 1, deleted: 1 });
    expect(round.skipped).toEqual(changes.notSynced);
    expect(await a.lib.unsyncedChanges()).toEqual({ ...nothing, notSynced: changes.notSynced });
    await a.lib.close();
  });

  // A running watch counts a folder where it saw a disk mounted as a mount point (SyncOptions.seenByWatch): so do these.
  it("a watch's seen folders: an emptied one is not removed, it is named as the round names it", async () => {
    const a = await makeNode(createMemoryStorage(), 'a');
    mkdirSync(join(a.dir, 'photos'));
    for (const name of ['p1.jpg', 'p2.jpg']) writeFileSync(join(a.dir, 'photos', name), name);
    writeFileSync(join(a.dir, 'note.md'), 'note\n');
    await a.sync();
    for (const name of ['p1.jpg', 'p2.jpg']) rmSync(join(a.dir, 'photos', name)); // the disk unmounted: its folder empty
    expect((await a.lib.unsyncedChanges()).removed).toEqual(['photos/p1.jpg', 'photos/p2.jpg']);
    const changes = await a.lib.unsyncedChanges({ seenByWatch: ['photos'] });
    const round = await a.lib.sync({ seenByWatch: ['photos'] });
    expect(changes).toEqual({ ...nothing, notSynced: round.skipped });
    expect(round.skipped).toEqual([{ path: 'photos', reason: expect.stringContaining('a disk this watch saw mounted') }]);
    expect(round.local.deleted).toBe(0);
    await a.lib.close();
  });

  it('a database is compared with its WAL; an unreadable folder is not taken for removed', async () => {
    const remote = createMemoryStorage();
    const a = await makeNode(remote, 'a');
    mkdirSync(join(a.dir, 'private'));
    writeFileSync(join(a.dir, 'private', 'a.md'), 'a\n');
    const db = new Database(join(a.dir, 'library.sqlite'));
    db.pragma('journal_mode = WAL');
    db.exec('CREATE TABLE t (x); INSERT INTO t VALUES (1)');
    await a.sync();
    expect(await a.lib.unsyncedChanges()).toEqual(nothing);

    db.exec('INSERT INTO t VALUES (2)'); // into the WAL: the main file's stat may not move
    chmodSync(join(a.dir, 'private'), 0o000);
    try {
      const changes = await a.lib.unsyncedChanges();
      expect(changes.changed).toEqual(['library.sqlite']);
      expect(changes.removed).toEqual([]);
      if (process.getuid?.() !== 0) expect(changes.notSynced).toEqual([{ path: 'private', reason: 'the folder cannot be read (permission denied)' }]);
    } finally {
      chmodSync(join(a.dir, 'private'), 0o755);
      db.close();
      await a.lib.close();
    }
  });
});
