// A folder of the library that is another disk or a share (LibraryOptions.mountPoints): not
// mounted, nothing at or below it is synced in either direction (local/mount-points.ts).
import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm, rmdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMemoryStorage } from '@syncacross/sync-core/testing';
import { cleanup, makeNode, snapshot, twoSyncedNodes, type TestNode } from './helpers.js';

afterEach(cleanup);

/** 30 notes and 5 scans: the scans are far from most of the library, so only the mount point protects them. */
function library(): Record<string, string> {
  const files: Record<string, string> = {};
  for (let i = 0; i < 30; i++) files[`notes/n${i}.md`] = `note ${i}`;
  for (let i = 0; i < 5; i++) files[`scans/s${i}.txt`] = `scan ${i}`;
  return files;
}

/** Node a has `scans` as a mount point (unless told otherwise); b is an ordinary node. Both hold the library. */
const nodes = (mountPoints: string[] = ['scans']) => twoSyncedNodes(library(), { mountPoints });

/** The disk is unmounted: its files leave, the mount point stays as an empty folder (or goes, `keepFolder` false). */
async function unmount(a: TestNode, keepFolder = true): Promise<string> {
  const disk = `${a.dir}-disk`;
  await rename(join(a.dir, 'scans'), disk); // the same files, inodes and times, for when it comes back
  if (keepFolder) await mkdir(join(a.dir, 'scans'));
  return disk;
}

async function mount(a: TestNode, disk: string): Promise<void> {
  if (existsSync(join(a.dir, 'scans'))) await rmdir(join(a.dir, 'scans')); // fails if anything was written onto the disk below
  await rename(disk, join(a.dir, 'scans'));
}

const scansOf = async (dir: string) => Object.keys(await snapshot(dir)).filter((p) => p.startsWith('scans/'));

describe('mount points', () => {
  it('an unmounted disk deletes nothing anywhere, takes nothing in, and catches up when it is back', async () => {
    const { a, b } = await nodes();
    const disk = await unmount(a);
    await writeFile(join(a.dir, 'notes/n0.md'), 'edited while the disk was away');
    const away = await a.sync();
    expect(away.local).toEqual({ added: 0, changed: 1, deleted: 0 }); // the rest of the library synced
    expect(away.skipped).toEqual([{ path: 'scans', reason: expect.stringMatching(/^a mount point that is an empty folder \(not mounted\?\): nothing at or below it was synced/) }]);
    await b.sync();
    expect(await scansOf(b.dir)).toHaveLength(5);
    expect((await snapshot(b.dir))['notes/n0.md']).toBe('edited while the disk was away');

    // What others change there waits: written now, it would land on the disk below the mount point.
    await writeFile(join(b.dir, 'scans/s1.txt'), 'scan 1, annotated on b');
    await writeFile(join(b.dir, 'scans/new.txt'), 'a scan made on b');
    await rm(join(b.dir, 'scans/s4.txt'));
    await b.sync();
    const waiting = await a.sync();
    expect(waiting.awaitingMount).toBe(3);
    expect(waiting.notices.join('\n')).toContain('3 change(s) from other nodes below scans wait until it is mounted again');
    expect(await readdir(join(a.dir, 'scans'))).toEqual([]);

    await mount(a, disk);
    const back = await a.sync();
    expect(back.skipped).toEqual([]);
    expect(back.awaitingMount).toBe(0);
    expect(back.local).toEqual({ added: 0, changed: 0, deleted: 0 });
    expect(back.remote).toEqual({ added: 1, changed: 1, deleted: 1 });
    await b.sync();
    expect(await snapshot(a.dir)).toEqual(await snapshot(b.dir));
    expect((await snapshot(a.dir))['scans/s1.txt']).toBe('scan 1, annotated on b');
  });

  it('a mount point that is not there at all is not made, and nothing is written into it', async () => {
    const { a, b } = await nodes();
    const disk = await unmount(a, false);
    await writeFile(join(b.dir, 'scans/new.txt'), 'a scan made on b');
    await b.sync();
    const away = await a.sync();
    expect(away.skipped).toEqual([{ path: 'scans', reason: expect.stringMatching(/^a mount point that is not there: /) }]);
    expect(away.local.deleted).toBe(0);
    expect(away.awaitingMount).toBe(1);
    expect(existsSync(join(a.dir, 'scans'))).toBe(false);
    await b.sync();
    expect(await scansOf(b.dir)).toHaveLength(6);
    await mount(a, disk);
    await a.sync();
    expect(await scansOf(a.dir)).toHaveLength(6);
  });

  // The same disk, not named as a mount point: five files of 35 are far under the held-deletions
  // guard, and the other node deletes its copies. What the option is for.
  it('without it, the same unmounted disk deletes its files everywhere', async () => {
    const { a, b } = await nodes([]);
    await unmount(a);
    expect((await a.sync()).local.deleted).toBe(5);
    await b.sync();
    expect(await scansOf(b.dir)).toEqual(['scans/']); // the empty mount point, as an empty folder
  });

  it('files deleted on the mounted disk are deleted as usual', async () => {
    const { a, b } = await nodes();
    await rm(join(a.dir, 'scans/s0.txt'));
    expect((await a.sync()).local.deleted).toBe(1);
    await b.sync();
    expect(await scansOf(b.dir)).toHaveLength(4);
  });

  it('status and a dry run say what a sync would leave, and an in-place restore writes nothing there', async () => {
    const { a } = await nodes();
    await unmount(a);
    const unsynced = await a.lib.unsyncedChanges();
    expect(unsynced.removed).toEqual([]);
    expect(unsynced.notSynced.map((s) => s.path)).toEqual(['scans']);
    const planned = await a.lib.sync({ dryRun: true });
    expect(planned.local.deleted).toBe(0);
    expect(planned.skipped.map((s) => s.path)).toEqual(['scans']);

    const restored = await a.lib.restore({ inPlace: true, paths: ['scans'] });
    expect(restored.restored).toEqual([]);
    expect(restored.failed.map((f) => f.path).sort()).toEqual(['scans/s0.txt', 'scans/s1.txt', 'scans/s2.txt', 'scans/s3.txt', 'scans/s4.txt']);
    expect(restored.failed[0]!.code).toBe('AwaitingMount');
    expect(restored.failed[0]!.reason).toMatch(/^below scans, a mount point that is an empty folder \(not mounted\?\): mount it, then restore$/);
    expect(await readdir(join(a.dir, 'scans'))).toEqual([]);
  });

  it('given as a function, they are asked at every round: one added while the library is open counts at once', async () => {
    let listed: string[] = [];
    const { a, b } = await twoSyncedNodes(library(), { mountPoints: () => listed });
    listed = ['scans'];
    await unmount(a);
    expect((await a.sync()).skipped.map((s) => s.path)).toEqual(['scans']);
    await b.sync();
    expect(await scansOf(b.dir)).toHaveLength(5);
    listed = ['../scans'];
    await expect(a.sync()).rejects.toMatchObject({ code: 'InvalidArgument' });
  });

  // Looking at one threw on anything but ENOENT (ENOTDIR, ELOOP, a share's EIO or ENOTCONN), and the round stopped before its scan.
  it('one that cannot be looked at is named, and the rest of the round goes on', async () => {
    const { a, b } = await nodes(['notes/n0.md/inside', 'loop/inside']);
    await symlink('loop', join(a.dir, 'loop')); // a link to itself: ELOOP at the parent
    await writeFile(join(a.dir, 'notes/n1.md'), 'edited');
    const round = await a.sync();
    expect(round.local.changed).toBe(1);
    expect(round.skipped).toEqual(
      expect.arrayContaining([
        { path: 'notes/n0.md/inside', reason: expect.stringMatching(/^a mount point that is not there: /) },
        { path: 'loop/inside', reason: expect.stringMatching(/^a mount point that cannot be read \(a share gone away\?\): /) },
      ]),
    );
    await b.sync();
    expect((await snapshot(b.dir))['notes/n1.md']).toBe('edited');
  });

  // Named, they made exit 8 for nothing: a share mounted inside a disk not mounted, a disk in a folder this node leaves out.
  it('one below another that is not there, or in a folder this node excludes, is not named, and waits for nothing', async () => {
    const { a, b } = await twoSyncedNodes(library(), { mountPoints: ['scans', 'scans/inner', 'old/disk'], exclude: ['old/'] });
    await unmount(a);
    await mkdir(join(b.dir, 'old/disk'), { recursive: true });
    await writeFile(join(b.dir, 'old/disk/x.txt'), 'made on b, where a excludes old/');
    await b.sync();
    const round = await a.sync();
    expect(round.skipped.map((s) => s.path)).toEqual(['scans']);
    expect(round.awaitingMount).toBe(0); // old/disk/x.txt is excluded here, not waiting for a disk
    expect(existsSync(join(a.dir, 'old'))).toBe(false);
  });

  // Each round merged the whole tree again to leave the same changes (a watch rounds at every edit; a disk may be away for a week).
  it('what waits for a disk is not worked out again while the disk stays away and nothing changes, and is said the same', async () => {
    const { a, b } = await nodes();
    const disk = await unmount(a);
    await writeFile(join(b.dir, 'scans/s1.txt'), 'scan 1, annotated on b');
    await b.sync();
    expect((await a.sync()).awaitingMount).toBe(1);
    const materializations = vi.spyOn(a.lib.state, 'planWrites'); // a materialization's first step
    for (let i = 0; i < 3; i++) {
      const idle = await a.sync();
      expect(idle.awaitingMount).toBe(1);
      expect(idle.notices.join('\n')).toContain('1 change(s) from other nodes below scans wait until it is mounted again');
    }
    expect(materializations).not.toHaveBeenCalled();
    await writeFile(join(b.dir, 'notes/n2.md'), 'edited on b');
    await b.sync();
    const news = await a.sync(); // something changed: worked out again
    expect(news.awaitingMount).toBe(1);
    expect(materializations).toHaveBeenCalled();
    expect((await snapshot(a.dir))['notes/n2.md']).toBe('edited on b');
    await mount(a, disk);
    expect((await a.sync()).awaitingMount).toBe(0);
    expect((await snapshot(a.dir))['scans/s1.txt']).toBe('scan 1, annotated on b');
  });

  it('a path that cannot be one is refused when the library opens', async () => {
    const storage = createMemoryStorage();
    for (const bad of ['', '/mnt/scans', '../scans', 'scans/', '.syncacross/x'])
      await expect(makeNode(storage, 'c', { mountPoints: [bad] })).rejects.toMatchObject({ code: 'InvalidArgument', message: expect.stringMatching(/^mount point /) });
  });
});
