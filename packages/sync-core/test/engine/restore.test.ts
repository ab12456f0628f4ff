/**
 * Restore: any past state comes back byte for byte, into another folder or into the library
 * (as new versions that sync, the replaced ones kept in history), on a node that has the library
 * or on a fresh machine that has only the remote.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { isSyncError, restoreFromRemote } from '@syncacross/sync-core';
import { createMemoryStorage } from '@syncacross/sync-core/testing';
import { parsePointInTime } from '../../src/engine/point-in-time.js';
import { cleanup, makeNode, randomData, snapshot, tempDir, type TestNode } from './helpers.js';

afterEach(cleanup);

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 10, 1, 9);

/** A node whose clock the test moves, so each version is made at a known time. */
async function clockedNode(storage = createMemoryStorage(), name = 'a') {
  const clock = { now: T0 };
  const node = await makeNode(storage, name, { now: () => clock.now });
  return { node, storage, clock };
}

async function editAndSync(node: TestNode, clock: { now: number }, at: number, files: Record<string, string | null>) {
  clock.now = at;
  for (const [path, text] of Object.entries(files)) {
    const abs = join(node.dir, path);
    if (text === null) await rm(abs, { recursive: true, force: true });
    else {
      await mkdir(join(abs, '..'), { recursive: true });
      await writeFile(abs, text);
    }
  }
  const s = await node.sync();
  expect(s.errors).toEqual([]);
}

describe('reading a moment', () => {
  const versions = () => [{ hash: 'ab12cd34ef'.padEnd(64, '0'), hlc: T0 } as never];
  it('reads ISO times, spans back from now and version ids; refuses the rest', () => {
    const now = T0 + 10 * HOUR;
    expect(parsePointInTime('now', now, versions).time).toBe(now);
    expect(parsePointInTime('2h', now, versions).time).toBe(now - 2 * HOUR);
    expect(parsePointInTime('3 days ago', now, versions).time).toBe(now - 72 * HOUR);
    expect(parsePointInTime('90 min', now, versions).time).toBe(now - 90 * 60_000);
    // Months and years as systemd reads them (30.44 and 365.25 days); `m` stays minutes.
    expect(parsePointInTime('6 months ago', now, versions).time).toBe(now - 6 * 2_629_800_000);
    expect(parsePointInTime('1mo', now, versions).time).toBe(now - 2_629_800_000);
    expect(parsePointInTime('10 years ago', now, versions).time).toBe(now - 10 * 31_557_600_000);
    expect(parsePointInTime('2y', now, versions).time).toBe(now - 2 * 31_557_600_000);
    expect(parsePointInTime('5m', now, versions).time).toBe(now - 5 * 60_000);
    expect(parsePointInTime('Yesterday', now, versions).time).toBe(now - 24 * HOUR);
    expect(parsePointInTime('2026-11-01T09:00:00Z', now, versions).time).toBe(T0);
    expect(parsePointInTime('ab12cd', now, versions)).toMatchObject({ time: T0 });
    for (const bad of ['yesterday-ish', '2 fortnights', 'ffffff', '']) expect(() => parsePointInTime(bad, now, versions), bad).toThrow(/cannot read|no version id/);
  });
});

describe('restore from a library', () => {
  it('a file edited three times comes back at each of its three times, byte for byte', async () => {
    const { node, clock } = await clockedNode();
    const texts = ['first draft\n', 'second draft, longer\n', 'third\n'];
    for (const [i, text] of texts.entries()) await editAndSync(node, clock, T0 + i * HOUR, { 'notes.md': text });
    clock.now = T0 + 5 * HOUR;
    for (const [i, text] of texts.entries()) {
      const to = join(await tempDir('syncacross-restored-'), 'out');
      const outcome = await node.lib.restore({ paths: ['notes.md'], at: new Date(T0 + i * HOUR + 1).toISOString(), to });
      expect(outcome.failed).toEqual([]);
      expect(await readFile(join(to, 'notes.md'), 'utf8')).toBe(text);
    }
    // By version id, as `log` shows it.
    const first = node.lib.history('notes.md')[0]!;
    const to = join(await tempDir('syncacross-restored-'), 'by-id');
    await node.lib.restore({ paths: ['notes.md'], at: first.hash.slice(0, 10), to });
    expect(await readFile(join(to, 'notes.md'), 'utf8')).toBe(texts[0]);
  });

  it('a deleted folder comes back, and ls shows it as it was and as deleted', async () => {
    const { node, clock } = await clockedNode();
    await editAndSync(node, clock, T0, { 'Photos/a.jpg': 'A', 'Photos/trip/b.jpg': 'B', 'keep.txt': 'k' });
    await editAndSync(node, clock, T0 + HOUR, { Photos: null });
    clock.now = T0 + 2 * HOUR;
    expect(node.lib.list({ path: 'Photos' })).toEqual([]);
    expect(node.lib.list({ at: new Date(T0 + 1).toISOString(), path: 'Photos' }).map((e) => e.path)).toEqual(['Photos/a.jpg', 'Photos/trip/b.jpg']);
    const deleted = node.lib.list({ path: 'Photos', deleted: true }).filter((e) => e.kind !== 'dir');
    expect(deleted.map((e) => e.path)).toEqual(['Photos/a.jpg', 'Photos/trip/b.jpg']);
    for (const e of deleted) expect(e.deleted?.at).toMatch(/^2026-11-01T10:00:00\.00\dZ$/); // the clock, plus a ms per version made in the same ms
    // With no moment given, a deleted path brings back what it last held.
    const to = join(await tempDir('syncacross-restored-'), 'out');
    const outcome = await node.lib.restore({ paths: ['Photos'], to });
    expect(outcome.undeleted).toEqual(['Photos']);
    expect(await snapshot(to)).toEqual({ 'Photos/a.jpg': 'A', 'Photos/trip/b.jpg': 'B' });
  });

  it('of the whole library at a moment with nothing in it: named, with when its history starts or that all was deleted (before: "0 entries", a restore that looked fine)', async () => {
    const { node, clock } = await clockedNode();
    await editAndSync(node, clock, T0, { 'a.md': 'A' });
    await editAndSync(node, clock, T0 + HOUR, { 'a.md': null });
    clock.now = T0 + 2 * HOUR;
    const base = await tempDir('syncacross-restored-');
    const before = await node.lib.restore({ at: new Date(T0 - HOUR).toISOString(), to: join(base, 'before') });
    expect(before.restored).toEqual([]);
    expect(before.failed).toEqual([{ path: '', code: 'NothingThen', reason: `nothing was in the library at 2026-11-01T08:00:00.000Z: its history starts at ${new Date(T0).toISOString()}` }]);
    expect(existsSync(join(base, 'before'))).toBe(false); // nothing made for nothing restored
    const emptied = await node.lib.restore({ to: join(base, 'now') });
    expect(emptied.failed).toEqual([{ path: '', code: 'NothingThen', reason: 'nothing was in the library at 2026-11-01T11:00:00.000Z: everything in it had been deleted by then' }]);
    // A moment with something in it is a restore like any other.
    const then = await node.lib.restore({ at: new Date(T0 + 1).toISOString(), to: join(base, 'then') });
    expect(then.failed).toEqual([]);
    expect(await snapshot(join(base, 'then'))).toEqual({ 'a.md': 'A' });
  });

  it('in place: the old content syncs to another node as a new version, and the replaced one stays in history', async () => {
    const storage = createMemoryStorage();
    const { node: a, clock } = await clockedNode(storage, 'a');
    const b = await makeNode(storage, 'b');
    await editAndSync(a, clock, T0, { 'report.md': 'good\n', 'other.md': 'o' });
    await editAndSync(a, clock, T0 + HOUR, { 'report.md': 'ruined\n', 'gone.md': null });
    await b.sync();
    clock.now = T0 + 2 * HOUR;
    const outcome = await a.lib.restore({ paths: ['report.md'], at: new Date(T0 + 1).toISOString(), inPlace: true });
    expect(outcome.failed).toEqual([]);
    expect(outcome.restored.map((r) => r.path)).toEqual(['report.md']);
    expect(outcome.sync?.uploaded.versions).toBe(1);
    await b.sync();
    expect(await readFile(join(b.dir, 'report.md'), 'utf8')).toBe('good\n');
    const history = b.lib.history('report.md');
    expect(history.map((h) => [h.size, h.head])).toEqual([
      [5, false],
      [7, false],
      [5, true],
    ]);
  });

  it('in place, what is already there is not read from the remote: only the files that differ', async () => {
    const memory = createMemoryStorage();
    let bytesRead = 0;
    const counting = { ...memory, get: (key: string, o?: Parameters<typeof memory.get>[1]) => memory.get(key, o).then((b) => ((bytesRead += b.byteLength), b)) };
    const { node, clock } = await clockedNode(counting);
    // Twenty files of about 220 KiB (random bytes as text), one chunk each, side by side in one pack.
    const files = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`doc-${i}.txt`, randomData(150 * 1024, 500 + i).toString('latin1')]));
    await editAndSync(node, clock, T0, files);
    await editAndSync(node, clock, T0 + HOUR, { 'doc-7.txt': 'replaced' });
    clock.now = T0 + 2 * HOUR;
    bytesRead = 0;
    const outcome = await node.lib.restore({ at: new Date(T0 + HOUR / 2).toISOString(), inPlace: true });
    expect(outcome.failed).toEqual([]);
    expect(outcome.restored.map((r) => r.path)).toEqual(['doc-7.txt']);
    expect(outcome.unchanged).toHaveLength(19);
    expect(await readFile(join(node.dir, 'doc-7.txt'), 'utf8')).toBe(files['doc-7.txt']);
    // Its one chunk (about 225 KB) and what the sync after it reads: with all twenty files planned,
    // the read of that chunk went on over the next ones too (691 KB here).
    expect(bytesRead).toBeLessThan(400 * 1024);
  });

  it('in place, a file changed since the last sync is left alone and named', async () => {
    const { node, clock } = await clockedNode();
    await editAndSync(node, clock, T0, { 'a.md': 'old' });
    await editAndSync(node, clock, T0 + HOUR, { 'a.md': 'new' });
    await writeFile(join(node.dir, 'a.md'), 'unsynced edit');
    const outcome = await node.lib.restore({ paths: ['a.md'], at: new Date(T0 + 1).toISOString(), inPlace: true });
    expect(outcome.failed).toEqual([{ path: 'a.md', code: 'ChangedSinceSync', reason: expect.stringMatching(/changed since the last sync/) }]);
    expect(await readFile(join(node.dir, 'a.md'), 'utf8')).toBe('unsynced edit');
  });

  // The moment asked for is the last sync's, whose version the record names: the restore said
  // "already as it was" of a file holding an edit it had not seen (and the dry run planned the same).
  it('in place, a file edited since the last sync is not "already as it was" at the moment of that sync', async () => {
    const { node, clock } = await clockedNode();
    await editAndSync(node, clock, T0, { 'a.md': 'synced' });
    await writeFile(join(node.dir, 'a.md'), 'unsynced edit');
    const at = new Date(T0 + 1).toISOString();
    const planned = await node.lib.restore({ paths: ['a.md'], at, inPlace: true, dryRun: true });
    expect(planned.unchanged).toEqual([]);
    expect(planned.failed).toEqual([{ path: 'a.md', code: 'ChangedSinceSync', reason: 'changed since the last sync: sync first, then restore' }]);
    const outcome = await node.lib.restore({ paths: ['a.md'], at, inPlace: true });
    expect(outcome.unchanged).toEqual([]);
    expect(outcome.failed).toEqual([{ path: 'a.md', code: 'ChangedSinceSync', reason: 'changed since the last sync: sync first, then restore' }]);
    expect(await readFile(join(node.dir, 'a.md'), 'utf8')).toBe('unsynced edit');
  });

  it('in place, a file deleted here since the last sync is written back: nothing of the user is there to lose', async () => {
    const { node, clock } = await clockedNode();
    await editAndSync(node, clock, T0, { 'a.md': 'old' });
    await editAndSync(node, clock, T0 + HOUR, { 'a.md': 'new' });
    await rm(join(node.dir, 'a.md'));
    const outcome = await node.lib.restore({ paths: ['a.md'], at: new Date(T0 + 1).toISOString(), inPlace: true });
    expect(outcome.failed).toEqual([]);
    expect(await readFile(join(node.dir, 'a.md'), 'utf8')).toBe('old');
    expect(outcome.sync?.local).toEqual({ added: 0, changed: 1, deleted: 0 }); // the old content, a new version: not a delete
  });

  it('refuses a non-empty folder unless told to overwrite, and a folder inside the library', async () => {
    const { node, clock } = await clockedNode();
    await editAndSync(node, clock, T0, { 'a.md': 'a' });
    const to = await tempDir('syncacross-restored-');
    await writeFile(join(to, 'a.md'), 'mine');
    await expect(node.lib.restore({ to })).rejects.toSatisfy((e) => isSyncError(e, 'TargetNotEmpty'));
    expect(await readFile(join(to, 'a.md'), 'utf8')).toBe('mine');
    await node.lib.restore({ to, overwrite: true });
    expect(await readFile(join(to, 'a.md'), 'utf8')).toBe('a');
    await expect(node.lib.restore({ to: join(node.dir, 'old') })).rejects.toSatisfy((e) => isSyncError(e, 'InvalidArgument'));
    await expect(node.lib.restore({ paths: ['nothing-here'], to: join(to, 'x') })).resolves.toMatchObject({ failed: [{ path: 'nothing-here' }] });
  });
});

describe('restore when the remote lost content', () => {
  /** Two files in a pack the remote lost, a third in another; the node's own files still hold all three. */
  async function lostPack() {
    const { node, storage, clock } = await clockedNode();
    await editAndSync(node, clock, T0, { 'lost.md': 'l'.repeat(100), 'lost2.md': 'm'.repeat(100) });
    await editAndSync(node, clock, T0 + HOUR, { 'kept.md': 'k' });
    const pack = node.lib.state.chunk(node.lib.state.version(node.lib.list({ path: 'lost.md' })[0]!.version)!.chunks[0]!)![1];
    storage.debug.remove(pack);
    return { node, storage, pack, to: join(await tempDir('syncacross-restored-'), 'out') };
  }

  // The files of one lost pack share one reason (no chunk id in it), so a listing names a few and counts the rest.
  it('names the files whose pack is gone and that no file here holds, each with the same reason, and restores the others', async () => {
    const { node, pack, to } = await lostPack();
    await writeFile(join(node.dir, 'lost.md'), 'L'.repeat(100)); // edited since: its size, not its content
    await rm(join(node.dir, 'lost2.md'));
    const outcome = await node.lib.restore({ to });
    const failure = { code: 'ContentUnreadable', reason: `could not read its content from the remote: a chunk of it in ${pack} is missing from the remote` };
    expect(outcome.failed).toEqual([
      { path: 'lost.md', ...failure },
      { path: 'lost2.md', ...failure },
    ]);
    expect(outcome.fromThisMachine).toBeUndefined();
    expect(await snapshot(to)).toEqual({ 'kept.md': 'k' });
  });

  it("takes what the remote lost from the library's own files that hold it, checked, and names those files", async () => {
    const { node, to } = await lostPack();
    const outcome = await node.lib.restore({ to });
    expect(outcome.failed).toEqual([]);
    expect(outcome.restored.map((f) => f.path)).toEqual(['kept.md', 'lost.md', 'lost2.md']);
    expect(outcome.fromThisMachine).toEqual(['lost.md', 'lost2.md']); // kept.md came from the remote, as everything does that it can give
    expect(await snapshot(to)).toEqual({ 'kept.md': 'k', 'lost.md': 'l'.repeat(100), 'lost2.md': 'm'.repeat(100) });
  });

  it('in place, a deleted file comes back from another file of the library that holds its content', async () => {
    const { node, storage, clock } = await clockedNode();
    await editAndSync(node, clock, T0, { 'old.md': 'o'.repeat(100) });
    await editAndSync(node, clock, T0 + HOUR, { 'old.md': null, 'copy.md': 'o'.repeat(100) }); // the same chunk, in the same pack
    storage.debug.remove(node.lib.state.chunk(node.lib.state.version(node.lib.list({ path: 'copy.md' })[0]!.version)!.chunks[0]!)![1]);
    const outcome = await node.lib.restore({ paths: ['old.md'], inPlace: true });
    expect(outcome.failed).toEqual([]);
    expect(outcome.fromThisMachine).toEqual(['old.md']);
    expect(await readFile(join(node.dir, 'old.md'), 'utf8')).toBe('o'.repeat(100));
  });

  // The restore found the remote without that content: the remote must get it back from here, not
  // go on naming a pack that is gone (a restore drill that passes over a damaged backup).
  it('a pack a restore found gone is looked for by the next sync, which uploads again what this node holds', async () => {
    const { node, storage, to } = await lostPack();
    expect((await node.lib.restore({ to })).fromThisMachine).toEqual(['lost.md', 'lost2.md']);
    const s = await node.sync();
    expect(s.errors.join('\n')).toMatch(/the remote lost 1 pack/);
    const other = await makeNode(storage, 'b');
    expect((await other.sync()).errors).toEqual([]);
    expect(await snapshot(other.dir)).toEqual({ 'kept.md': 'k', 'lost.md': 'l'.repeat(100), 'lost2.md': 'm'.repeat(100) });
  });

  it('in place, the sync that follows the restore already uploads it again', async () => {
    const { node, storage, clock } = await clockedNode();
    await editAndSync(node, clock, T0, { 'old.md': 'o'.repeat(100) });
    await editAndSync(node, clock, T0 + HOUR, { 'old.md': null, 'copy.md': 'o'.repeat(100) });
    storage.debug.remove(node.lib.state.chunk(node.lib.state.version(node.lib.list({ path: 'copy.md' })[0]!.version)!.chunks[0]!)![1]);
    const outcome = await node.lib.restore({ paths: ['old.md'], inPlace: true });
    expect(outcome.fromThisMachine).toEqual(['old.md']);
    expect(outcome.sync?.errors.join('\n')).toMatch(/the remote lost 1 pack/);
    const other = await makeNode(storage, 'b');
    expect((await other.sync()).errors).toEqual([]);
    expect(await snapshot(other.dir)).toEqual({ 'copy.md': 'o'.repeat(100), 'old.md': 'o'.repeat(100) });
  });
});

describe('restore with no library', () => {
  it('a fresh machine rebuilds the library from the remote alone, SQLite database included', async () => {
    const { node, storage, clock } = await clockedNode();
    const db = new Database(join(node.dir, 'refs.sqlite'));
    db.exec('CREATE TABLE refs (id INTEGER PRIMARY KEY, title TEXT)');
    for (let i = 0; i < 200; i++) db.prepare('INSERT INTO refs (title) VALUES (?)').run(`paper ${i}`);
    db.close();
    await editAndSync(node, clock, T0, { 'notes/a.md': 'a', 'b.md': 'b' });
    const to = join(await tempDir('syncacross-fresh-'), 'library');
    const outcome = await restoreFromRemote({ storage, to });
    expect([outcome.failed, outcome.warnings]).toEqual([[], []]);
    const { 'refs.sqlite': restoredDb, ...files } = await snapshot(to);
    const { 'refs.sqlite': _original, ...originalFiles } = await snapshot(node.dir);
    expect(files).toEqual(originalFiles);
    expect(restoredDb).toBeDefined();
    const check = new Database(join(to, 'refs.sqlite'), { readonly: true });
    expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(check.prepare('SELECT count(*) AS n FROM refs').get()).toEqual({ n: 200 });
    check.close();
  });

  it('refuses a remote that holds no repository, and writes nothing to it', async () => {
    const storage = createMemoryStorage();
    const to = join(await tempDir('syncacross-fresh-'), 'library');
    await expect(restoreFromRemote({ storage, to })).rejects.toSatisfy((e) => isSyncError(e, 'NotARepository'));
    expect((await storage.list('')).objects).toEqual([]);
  });
});
