// Most of a library gone from one disk at once (a disk not mounted, a folder moved aside) is not
// published as deletions: every other node would delete its copies too (engine/held-deletions.ts).
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryStorage } from '@syncacross/sync-core/testing';
import { cleanup, makeNode, snapshot, twoSyncedNodes } from './helpers.js';

afterEach(cleanup);

/** `n` scans in `scans/` and three notes beside them. */
function library(n: number): Record<string, string> {
  const files: Record<string, string> = { 'notes/a.md': 'a', 'notes/b.md': 'b', 'notes/c.md': 'c' };
  for (let i = 0; i < n; i++) files[`scans/s${i}.txt`] = `scan ${i}`;
  return files;
}

describe('deletions held back', () => {
  it('a folder of most of the library gone is not deleted elsewhere, and comes back when it is put back', async () => {
    const { a, b } = await twoSyncedNodes(library(30));
    await rename(join(a.dir, 'scans'), join(a.dir, '..', `${a.dir.split('/').pop()}-aside`));
    await writeFile(join(a.dir, 'notes/a.md'), 'a, edited while the disk was away');
    const held = await a.sync();
    expect(held.local).toEqual({ added: 0, changed: 1, deleted: 0 });
    expect(held.heldDeletions).toBe(30);
    expect(held.skipped.map((k) => k.path).sort()).toEqual(
      Object.keys(library(30))
        .filter((p) => p.startsWith('scans/'))
        .sort(),
    );
    expect(held.skipped[0]!.reason).toMatch(/^gone from this disk, its deletion held back: 30 of the library's 33 files and folders went at once/);
    expect(held.notices.join('\n')).toContain('syncacross sync --confirm-deletions');
    await b.sync();
    const onB = await snapshot(b.dir);
    expect(Object.keys(onB).filter((p) => p.startsWith('scans/'))).toHaveLength(30); // nothing deleted elsewhere
    expect(onB['notes/a.md']).toBe('a, edited while the disk was away'); // the rest of the round went on

    // Asked again every round, until the folder is back: then there is nothing to say.
    expect((await a.sync()).skipped).toHaveLength(30);
    await rename(join(a.dir, '..', `${a.dir.split('/').pop()}-aside`), join(a.dir, 'scans'));
    const back = await a.sync();
    expect(back.skipped).toEqual([]);
    expect(back.notices).toEqual([]);
    expect(back.local.deleted).toBe(0);
    expect(back.heldDeletions).toBe(0);
  });

  // The mount point stays empty on disk while the disk is away: published as an empty-folder entry,
  // the other node (whose copy holds the files) answered it with a delete, which removed the mount
  // point here, so the disk could not be mounted again.
  it('the empty folder the files were in (a mount point) is not published, and is never removed', async () => {
    const { a, b } = await twoSyncedNodes(library(30));
    await rm(join(a.dir, 'scans'), { recursive: true });
    await mkdir(join(a.dir, 'scans')); // the mount point, the disk not mounted
    const held = await a.sync();
    expect(held.local).toEqual({ added: 0, changed: 0, deleted: 0 });
    for (let i = 0; i < 2; i++) {
      expect((await b.sync()).local).toEqual({ added: 0, changed: 0, deleted: 0 });
      await a.sync();
    }
    expect((await readdir(join(a.dir, 'scans'))).length).toBe(0); // still there, still empty
    expect(await readdir(join(b.dir, 'scans'))).toHaveLength(30);
    // Confirmed, the files go and the empty folder is what stays, on both.
    expect((await a.lib.sync({ confirmDeletions: true })).local).toEqual({ added: 1, changed: 0, deleted: 30 });
    await b.sync();
    expect(await snapshot(b.dir)).toEqual({ 'notes/a.md': 'a', 'notes/b.md': 'b', 'notes/c.md': 'c', 'scans/': '<dir>' });
  });

  it('deletions confirmed are published, and the files go everywhere', async () => {
    const { a, b } = await twoSyncedNodes(library(30));
    await rm(join(a.dir, 'scans'), { recursive: true });
    expect((await a.sync()).local.deleted).toBe(0);
    const confirmed = await a.lib.sync({ confirmDeletions: true });
    expect(confirmed.local.deleted).toBe(30);
    expect(confirmed.skipped).toEqual([]);
    await b.sync();
    expect(Object.keys(await snapshot(b.dir)).sort()).toEqual(['notes/a.md', 'notes/b.md', 'notes/c.md']);
  });

  it('a dry run says the deletions would be held back', async () => {
    const { a } = await twoSyncedNodes(library(30));
    await rm(join(a.dir, 'scans'), { recursive: true });
    const planned = await a.lib.sync({ dryRun: true });
    expect(planned.skipped).toHaveLength(30);
    expect(planned.heldDeletions).toBe(30);
    expect(planned.local.deleted).toBe(0);
    expect((await a.lib.sync({ dryRun: true, confirmDeletions: true })).local.deleted).toBe(30);
  });

  it('files moved elsewhere in the library are not lost: a reorganisation is published at once', async () => {
    const { a, b } = await twoSyncedNodes(library(30));
    await mkdir(join(a.dir, 'archive'));
    await rename(join(a.dir, 'scans'), join(a.dir, 'archive', 'scans-2026'));
    const moved = await a.sync();
    expect(moved.skipped).toEqual([]);
    expect(moved.local).toMatchObject({ added: 30, deleted: 30 });
    await b.sync();
    expect(await readdir(join(b.dir, 'archive', 'scans-2026'))).toHaveLength(30);
    expect(Object.keys(await snapshot(b.dir)).filter((p) => p.startsWith('scans/'))).toEqual([]);
  });

  it('only the lost are held: files moved out of the gone folder are published', async () => {
    const { a, b } = await twoSyncedNodes(library(30));
    await rename(join(a.dir, 'scans', 's0.txt'), join(a.dir, 'notes', 's0.txt'));
    await rm(join(a.dir, 'scans'), { recursive: true });
    const round = await a.sync();
    expect(round.skipped).toHaveLength(29);
    expect(round.local).toMatchObject({ added: 1, deleted: 1 });
    await b.sync();
    const onB = await snapshot(b.dir);
    expect(onB['notes/s0.txt']).toBe('scan 0');
    expect(onB['scans/s0.txt']).toBeUndefined();
    expect(onB['scans/s1.txt']).toBe('scan 1');
  });

  it('fewer than 20, or under half of the library, are deleted at once as before', async () => {
    const few = await twoSyncedNodes(library(19)); // 19 of 22 gone: too few to hold
    await rm(join(few.a.dir, 'scans'), { recursive: true });
    expect((await few.a.sync()).local.deleted).toBe(19);

    const files = library(30);
    for (let i = 0; i < 40; i++) files[`more/m${i}.txt`] = `more ${i}`;
    const half = await twoSyncedNodes(files); // 30 of 73 gone: under half
    await rm(join(half.a.dir, 'scans'), { recursive: true });
    expect((await half.a.sync()).local.deleted).toBe(30);
  });

  it('deletionGuard sets the thresholds, and false publishes every deletion', async () => {
    for (const [guard, deleted] of [
      [false, 30],
      [{ share: 0.95 }, 30], // 30 of 33 is under 95 %
      [{ atLeast: 31 }, 30],
      [{ atLeast: 30, share: 0.9 }, 0],
    ] as const) {
      const remote = createMemoryStorage();
      const a = await makeNode(remote, 'a', { deletionGuard: guard });
      for (const [path, text] of Object.entries(library(30))) {
        await mkdir(join(a.dir, path, '..'), { recursive: true });
        await writeFile(join(a.dir, path), text);
      }
      await a.sync();
      await rm(join(a.dir, 'scans'), { recursive: true });
      expect((await a.sync()).local.deleted, JSON.stringify(guard)).toBe(deleted);
    }
  });

  it('a guard of no deletions at all holds back every one, and says nothing while nothing is gone', async () => {
    const a = await makeNode(createMemoryStorage(), 'a', { deletionGuard: { atLeast: 0, share: 0 } });
    await writeFile(join(a.dir, 'one.md'), 'one');
    await a.sync();
    expect(await a.sync()).toMatchObject({ skipped: [], notices: [] });
    await rm(join(a.dir, 'one.md'));
    expect((await a.sync()).skipped.map((k) => k.path)).toEqual(['one.md']);
  });

  // Deleted by accident: restoring them in place was refused ("changed since the last sync: sync
  // first, then restore"), and a sync held them back again, so neither command could end it.
  it('restore in place brings back what was deleted here and not published, and then there is nothing to say', async () => {
    const { a } = await twoSyncedNodes(library(30));
    await rm(join(a.dir, 'scans'), { recursive: true });
    await rm(join(a.dir, 'notes', 'a.md'));
    expect((await a.sync()).heldDeletions).toBe(31);
    const planned = await a.lib.restore({ paths: ['scans', 'notes/a.md'], inPlace: true, dryRun: true });
    expect(planned.failed).toEqual([]);
    expect(planned.restored).toHaveLength(31);
    const restored = await a.lib.restore({ paths: ['scans', 'notes/a.md'], inPlace: true });
    expect(restored.failed).toEqual([]);
    expect(restored.restored).toHaveLength(31);
    expect(await snapshot(a.dir)).toEqual(library(30));
    const after = await a.sync();
    expect(after).toMatchObject({ heldDeletions: 0, skipped: [], local: { added: 0, changed: 0, deleted: 0 } });
    expect(after.uploaded.versions).toBe(0); // the same content back: no new version
  });
});
