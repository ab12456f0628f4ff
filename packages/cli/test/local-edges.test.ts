/**
 * The user's folder on this machine may not hold what another machine synced: a folder that is a
 * symbolic link here, a name too long for this file system. Through the built binary: nothing is
 * written outside the library, nothing is deleted on the other machine, the path is named, the
 * rest syncs, and the exit code is 8 ("completed with errors").
 */
import { existsSync } from 'node:fs';
import { lstat, mkdir, readdir, readFile, rename, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createFsStorage } from '@syncacross/adapter-fs';
import { encodeSegment } from '../../sync-core/src/engine/segment.js';
import { format2Codec } from '../../sync-core/src/codec/repository-codec.js';
import { withHash, type Version } from '../../sync-core/src/model/version.js';
import { syncOutput } from '../src/json-output.js';
import { cleanup, FAST, run, runJson, snapshot, tempDir, writeFiles } from './helpers.js';

afterAll(cleanup);

async function twoLibraries(files: Record<string, string>) {
  const base = await tempDir();
  const alice = join(base, 'alice');
  const bob = join(base, 'bob');
  const remote = join(base, 'remote');
  await writeFiles(alice, files);
  expect((await run(['init', alice, '--remote', `fs:${remote}`, '-o', 'createRoot=true', '--name', 'alice'])).code).toBe(0);
  expect((await run(['sync', alice, ...FAST])).code).toBe(0);
  expect((await run(['init', bob, '--remote', `fs:${remote}`, '--name', 'bob'])).code).toBe(0);
  return { base, alice, bob, remote };
}

describe('a folder that is a symbolic link on one machine', () => {
  it('nothing is written through the link, nothing is deleted on the other machine, exit 8 naming the path', async () => {
    const { base, alice, bob } = await twoLibraries({ 'Photos/one.jpg': 'one', 'Photos/two.jpg': 'two', 'notes.txt': 'notes' });
    const outside = join(base, 'outside');
    await mkdir(outside);
    await symlink(outside, join(bob, 'Photos'));

    const r = await runJson(['sync', bob, ...FAST]);
    expect(r.code, r.stderr).toBe(8);
    const s = syncOutput.parse(r.json);
    expect(s.errors.join('\n')).toContain('Photos/one.jpg');
    expect(s.errors.join('\n')).toMatch(/symbolic link/);
    expect(await readdir(outside)).toEqual([]);
    expect(await readFile(join(bob, 'notes.txt'), 'utf8')).toBe('notes');
    const plain = await run(['sync', bob, ...FAST]);
    expect(plain.code).toBe(8);
    expect(plain.stderr).toContain('Photos/one.jpg');

    // Alice's photos survive every later round on both sides.
    for (const dir of [alice, bob, alice]) await run(['sync', dir, ...FAST]);
    expect(await snapshot(alice)).toEqual({ 'Photos/one.jpg': 'one', 'Photos/two.jpg': 'two', 'notes.txt': 'notes' });
    expect(await readdir(outside)).toEqual([]);
    expect(existsSync(join(alice, '.syncacross/trash'))).toBe(false);
  });
});

describe('a synced folder replaced by a link, while the other machine fills it', () => {
  it('the link is left alone and the files behind it are not deleted on the other machine', async () => {
    const base = await tempDir();
    const [alice, bob, remote, outside] = ['alice', 'bob', 'remote', 'outside'].map((n) => join(base, n)) as [string, string, string, string];
    // Bob's empty Photos folder reaches the remote as an entry of its own.
    await mkdir(join(bob, 'Photos'), { recursive: true });
    expect((await run(['init', bob, '--remote', `fs:${remote}`, '-o', 'createRoot=true', '--name', 'bob'])).code).toBe(0);
    expect((await run(['sync', bob, ...FAST])).code).toBe(0);
    // Alice, not synced yet, puts a photo there; Bob receives it.
    await writeFiles(alice, { 'Photos/one.jpg': 'one' });
    expect((await run(['init', alice, '--remote', `fs:${remote}`, '--name', 'alice'])).code).toBe(0);
    expect((await run(['sync', alice, ...FAST])).code).toBe(0);
    expect((await run(['sync', bob, ...FAST])).code).toBe(0);
    expect(await readFile(join(bob, 'Photos/one.jpg'), 'utf8')).toBe('one');
    // Bob moves Photos to another disk and links it back; Alice's next round retires the
    // empty-folder entry (the folder holds a file now).
    await mkdir(outside);
    await rename(join(bob, 'Photos'), join(outside, 'Photos'));
    await symlink(join(outside, 'Photos'), join(bob, 'Photos'));
    expect((await run(['sync', alice, ...FAST])).code).toBe(0);

    for (let i = 0; i < 2; i++) {
      const r = await run(['sync', bob, ...FAST]);
      expect(r.code, r.stderr).toBe(8); // the link is reported, every round
      expect(r.stderr).toContain('Photos');
      expect((await lstat(join(bob, 'Photos'))).isSymbolicLink()).toBe(true);
    }
    expect((await run(['sync', alice, ...FAST])).code).toBe(0);
    expect(await snapshot(alice)).toEqual({ 'Photos/one.jpg': 'one' });
    expect(await readdir(join(outside, 'Photos'))).toEqual(['one.jpg']);
  });
});

describe('a name too long for this file system', () => {
  it('100 CJK characters (300 bytes, fine on macOS): exit 8, the path named, the rest synced, own edits sent', async () => {
    const { alice, bob, remote } = await twoLibraries({ 'ok.txt': 'fine' });
    // What a Mac would publish: an (empty) file whose name Linux cannot hold.
    const status = await runJson(['status', alice]);
    const long = `docs/${'長'.repeat(100)}.txt`;
    const v: Version = { path: long, parents: [], hlc: Date.now(), writer: 'mac-0001.0badc0de', kind: 'file', size: 0, mtime: 0, chunks: [] };
    const { hash: _hash, ...version } = withHash(v);
    const { key, bytes } = encodeSegment({ format: 2, repo: status.json.repository, writer: v.writer, seq: 1, prev: null, versions: [version], chunks: [] }, format2Codec());
    await (await createFsStorage({ root: remote })).putIfAbsent(key, bytes);

    await writeFiles(bob, { 'from-bob.txt': 'bob' });
    const r = await runJson(['sync', bob, ...FAST]);
    expect(r.code, r.stderr).toBe(8);
    const s = syncOutput.parse(r.json);
    expect(s.errors).toHaveLength(1);
    expect(s.errors[0]).toContain(long);
    expect(s.errors[0]).toContain('too long');
    expect(s.local.added).toBe(1);
    expect(await snapshot(bob)).toEqual({ 'ok.txt': 'fine', 'from-bob.txt': 'bob' });

    const plain = await run(['sync', bob, ...FAST]);
    expect(plain.code).toBe(8);
    expect(plain.stderr).toContain(long);
    const a = await run(['sync', alice, ...FAST]);
    expect(a.code).toBe(8);
    expect(await readFile(join(alice, 'from-bob.txt'), 'utf8')).toBe('bob');
  });
});
