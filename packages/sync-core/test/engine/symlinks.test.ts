/**
 * A folder of the library that is a symbolic link on one machine is a door out of the library:
 * nothing is written, renamed or removed through it, and what lies behind it (not scanned) is
 * never read as deleted.
 */
import { existsSync } from 'node:fs';
import { lstat, mkdir, readdir, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryStorage } from '@syncacross/sync-core/testing';
import { cleanup, makeNode, snapshot, syncAll, tempDir } from './helpers.js';

afterEach(cleanup);

describe('symbolic links in the library', () => {
  it('a synced folder replaced by a link while the other machine fills it: the link stays, nothing behind it is deleted', async () => {
    const remote = createMemoryStorage();
    const b = await makeNode(remote, 'b');
    await mkdir(join(b.dir, 'Photos')); // an empty folder: an entry of its own on the remote
    await b.sync();
    const a = await makeNode(remote, 'a');
    await mkdir(join(a.dir, 'Photos'));
    await writeFile(join(a.dir, 'Photos/one.jpg'), 'one');
    await a.sync();
    await b.sync(); // the photo arrives; the empty-folder entry is still there
    expect(await readFile(join(b.dir, 'Photos/one.jpg'), 'utf8')).toBe('one');

    const outside = await tempDir('syncacross-outside-');
    await rename(join(b.dir, 'Photos'), join(outside, 'Photos'));
    await symlink(join(outside, 'Photos'), join(b.dir, 'Photos'));
    await a.sync(); // retires the empty-folder entry: the folder holds a file
    await syncAll([b, b, a]);
    expect((await lstat(join(b.dir, 'Photos'))).isSymbolicLink()).toBe(true); // not moved to the trash
    expect(await snapshot(a.dir)).toEqual({ 'Photos/one.jpg': 'one' });
    expect(await readdir(join(outside, 'Photos'))).toEqual(['one.jpg']);
    await a.lib.close();
    await b.lib.close();
  });

  it('a folder that is a link on the other machine: nothing is written outside, nothing is deleted', async () => {
    const remote = createMemoryStorage();
    const a = await makeNode(remote, 'a');
    await mkdir(join(a.dir, 'Photos'));
    await writeFile(join(a.dir, 'Photos/one.jpg'), 'one');
    await writeFile(join(a.dir, 'Photos/two.jpg'), 'two');
    await writeFile(join(a.dir, 'notes.txt'), 'notes');
    await a.sync();

    const b = await makeNode(remote, 'b');
    const outside = await tempDir('syncacross-outside-');
    await symlink(outside, join(b.dir, 'Photos'));
    const first = await b.sync();
    expect(await readdir(outside)).toEqual([]); // nothing written through the link
    expect(first.errors.join('\n')).toContain('Photos/one.jpg');
    expect(first.errors.join('\n')).toMatch(/symbolic link/);
    expect(await readFile(join(b.dir, 'notes.txt'), 'utf8')).toBe('notes'); // the rest arrived

    // Round after round: no delete is published, and the first machine keeps its photos.
    await syncAll([b, a, b, a]);
    expect(await readdir(outside)).toEqual([]);
    expect(await snapshot(a.dir)).toEqual({ 'Photos/one.jpg': 'one', 'Photos/two.jpg': 'two', 'notes.txt': 'notes' });
    expect([...a.lib.tree().keys()].sort()).toEqual(['Photos/one.jpg', 'Photos/two.jpg', 'notes.txt']);
    await a.lib.close();
    await b.lib.close();
  });

  it('a synced folder replaced by a link: its files are not published as deleted, and nothing is written through it', async () => {
    const { a, b } = await twoNodesSharingPhotos();
    expect(await snapshot(b.dir)).toEqual({ 'Photos/one.jpg': 'one' });

    // On b, the folder moves to another disk and a link takes its place.
    const elsewhere = join(await tempDir('syncacross-disk2-'), 'Photos');
    await rename(join(b.dir, 'Photos'), elsewhere);
    await symlink(elsewhere, join(b.dir, 'Photos'));
    const scan = await b.sync();
    expect(scan.local.deleted).toBe(0);
    expect(scan.uploaded.versions).toBe(0);

    // a adds and deletes in that folder: b writes and removes nothing through the link.
    await writeFile(join(a.dir, 'Photos/new.jpg'), 'new');
    await a.sync();
    const later = await b.sync();
    expect(later.errors.join('\n')).toContain('Photos/new.jpg');
    expect(await readdir(elsewhere)).toEqual(['one.jpg']);
    await syncAll([a, b]);
    expect(await snapshot(a.dir)).toEqual({ 'Photos/new.jpg': 'new', 'Photos/one.jpg': 'one' });
    await a.lib.close();
    await b.lib.close();
  });

  it('a file the remote deleted is not removed through a linked folder', async () => {
    const { a, b } = await twoNodesSharingPhotos();
    const elsewhere = join(await tempDir('syncacross-disk2-'), 'Photos');
    await rename(join(b.dir, 'Photos'), elsewhere);
    await symlink(elsewhere, join(b.dir, 'Photos'));
    await b.sync();

    await rm(join(a.dir, 'Photos/one.jpg'));
    await a.sync();
    const after = await b.sync();
    expect(existsSync(join(elsewhere, 'one.jpg'))).toBe(true); // not moved to b's trash through the link
    expect(after.errors.join('\n')).toContain('Photos/one.jpg');
    await a.lib.close();
    await b.lib.close();
  });

  it('a folder that holds only a link is not an empty folder: the nodes settle, nothing goes back and forth', async () => {
    const remote = createMemoryStorage();
    const a = await makeNode(remote, 'a');
    await mkdir(join(a.dir, 'Media/Photos'), { recursive: true });
    await writeFile(join(a.dir, 'Media/Photos/one.jpg'), 'one');
    await a.sync();
    const b = await makeNode(remote, 'b');
    await mkdir(join(b.dir, 'Media'));
    await symlink(await tempDir('syncacross-outside-'), join(b.dir, 'Media/Photos'));
    await syncAll([b, a, b, a, b]);
    const quiet = [await a.sync(), await b.sync(), await a.sync(), await b.sync()];
    expect(quiet.map((s) => s.uploaded.versions)).toEqual([0, 0, 0, 0]);
    expect(await snapshot(a.dir)).toEqual({ 'Media/Photos/one.jpg': 'one' });
    await a.lib.close();
    await b.lib.close();
  });
});

/** Two nodes that both hold `Photos/one.jpg`, synced through one in-memory remote. */
async function twoNodesSharingPhotos() {
  const remote = createMemoryStorage();
  const a = await makeNode(remote, 'a');
  await mkdir(join(a.dir, 'Photos'));
  await writeFile(join(a.dir, 'Photos/one.jpg'), 'one');
  await a.sync();
  const b = await makeNode(remote, 'b');
  await b.sync();
  return { remote, a, b };
}
