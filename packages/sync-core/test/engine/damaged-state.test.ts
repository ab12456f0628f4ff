/**
 * openLibrary on a state database that SQLite finds damaged, or that is not a database, rejects
 * with a `StateDamaged` SyncError naming the file (not SQLite's bare `database disk image is
 * malformed`), and leaves nothing held: the library's lock is free and the file is not open, so the
 * application can move the state aside and open the library again, which joins the repository anew.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isSyncError, openLibrary } from '@syncacross/sync-core';
import { createMemoryStorage } from '@syncacross/sync-core/testing';
import { cleanup, makeNode, snapshot } from './helpers.js';

afterAll(cleanup);

describe('a damaged state database', () => {
  it.each([
    ['cut short', (file: string) => writeFileSync(file, readFileSync(file).subarray(0, 5000))],
    ['not a database', (file: string) => writeFileSync(file, 'not SQLite\n'.repeat(1000))],
  ])('%s: StateDamaged naming the file, nothing held; moved aside, the library opens and syncs', async (_name, damage) => {
    const remote = createMemoryStorage();
    const a = await makeNode(remote, 'a');
    writeFileSync(join(a.dir, 'kept.txt'), 'kept\n');
    for (let i = 0; i < 50; i++) writeFileSync(join(a.dir, `file-${i}.txt`), `content ${i}\n`.repeat(40));
    await a.sync();
    await a.lib.close();
    const state = join(a.dir, '.syncacross', 'state.db');
    damage(state);

    const error = await openLibrary({ dir: a.dir, storage: remote, lockWaitMs: 100 }).catch((e: unknown) => e);
    expect(isSyncError(error, 'StateDamaged'), String(error)).toBe(true);
    expect((error as Error).message).toContain(`the library's state, ${state}, is damaged (SQLite: `);
    // Said again, not LibraryBusy: the lock went with the failed open.
    const twice = await openLibrary({ dir: a.dir, storage: remote, lockWaitMs: 100 }).catch((e: unknown) => e);
    expect(isSyncError(twice, 'StateDamaged'), String(twice)).toBe(true);

    renameSync(join(a.dir, '.syncacross'), `${a.dir}-state-aside`);
    const again = await openLibrary({ dir: a.dir, storage: remote, nodeName: 'a', stableAfterMs: 0, lockWaitMs: 100 });
    const round = await again.sync();
    expect(round.local).toMatchObject({ deleted: 0 });
    expect(round.remote).toMatchObject({ deleted: 0 });
    await again.close();
    const b = await makeNode(remote, 'b');
    await b.sync();
    expect(await snapshot(b.dir)).toEqual(await snapshot(a.dir));
    expect(Object.keys(await snapshot(b.dir))).toHaveLength(51);
    await b.lib.close();
  });
});
