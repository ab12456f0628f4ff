/**
 * A scan's new versions wait in a TEMP table of the state connection (local/staged-versions.ts),
 * not in memory, until the packs holding their chunks are written: what is recorded then is what
 * was staged, in the rows `addVersion` and `putLocal` write; a scan cut short leaves nothing
 * behind for the next one to record.
 */
import { unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryStorage } from '@syncacross/sync-core/testing';
import { StagedVersions } from '../../src/local/staged-versions.js';
import { LocalState } from '../../src/local/state.js';
import { withHash, type HashedVersion } from '../../src/model/version.js';
import { cleanup, makeNode, tempDir } from './helpers.js';

afterEach(cleanup);

const file = (path: string, i: number): HashedVersion =>
  withHash({ path, parents: [], hlc: 1_733_400_000_000 + i, writer: 'w.1', kind: 'file', size: 3, mtime: 1_733_400_000_123, chunks: [i.toString(16).padStart(64, '0')] });
const stat = (i: number) => ({ size: 3, mtimeMs: 1_733_400_000_123.5 + i, ctimeMs: -2, ino: 1000 + i });
const stagedRows = (state: LocalState) => (state.db.prepare('SELECT COUNT(*) AS n FROM temp.staged_versions').get() as { n: number }).n;

describe('staged versions', () => {
  it('are written out a thousand at a time, and recorded as addVersion and putLocal write them', async () => {
    const state = new LocalState(join(await tempDir(), 'state.db'));
    const staged = new StagedVersions(state.db);
    const versions = Array.from({ length: 2500 }, (_, i) => file(`n${i}.md`, i));
    versions.forEach((v, i) => staged.add(v, `n${i}.md`, stat(i)));
    // Two thousand rows are in the table; five hundred wait in memory, no more.
    expect(stagedRows(state)).toBe(2000);
    expect(staged.count).toBe(2500);
    expect(state.pendingVersions()).toEqual([]); // nothing is a version before `recordAll`
    state.transaction(() => staged.recordAll());
    expect(stagedRows(state)).toBe(0);
    expect(staged.count).toBe(0);

    // The same rows as writing each version and record in turn would have made.
    const expected = new LocalState(join(await tempDir(), 'state.db'));
    versions.forEach((v, i) => {
      expected.addVersion(v, null);
      expected.putLocal({ path: `n${i}.md`, treePath: v.path, version: v.hash, ...stat(i) });
    });
    const rows = (s: LocalState, sql: string) => s.db.prepare(sql).all();
    for (const sql of [
      'SELECT hash, path, json, segment FROM versions ORDER BY hash',
      'SELECT path, tree_path, version, size, mtime_ms, ctime_ms, ino, typeof(size), typeof(mtime_ms), typeof(ino) FROM local ORDER BY path',
    ])
      expect(rows(state, sql)).toEqual(rows(expected, sql));
    expect(state.localRecords()).toEqual(expected.localRecords());

    // In hash order, the order in which a commit reads and marks them (pending-versions.ts).
    const byRow = (state.db.prepare('SELECT hash FROM versions ORDER BY rowid').all() as { hash: string }[]).map((r) => r.hash);
    expect(byRow).toEqual([...byRow].sort());
    state.close();
    expected.close();
  });

  it('an adopted version gives a record and no row; a path staged twice keeps the later record; a delete gives no record', async () => {
    const state = new LocalState(join(await tempDir(), 'state.db'));
    const known = file('a.md', 1);
    state.addVersion(known, 'log/w.1/0000000001-0123456789abcdef');
    const staged = new StagedVersions(state.db);
    const first = file('b.md', 2);
    const second = file('b.md', 3);
    const gone = withHash({ path: 'c.md', parents: [known.hash], hlc: 5, writer: 'w.1', deleted: true, kind: 'file', size: 0, mtime: 0, chunks: [] });
    staged.add(known, 'a.md', stat(1), true);
    staged.add(first, 'b.md', stat(2));
    staged.add(second, 'b.md', stat(3));
    staged.add(gone, undefined, undefined);
    state.transaction(() => staged.recordAll());
    expect(state.version(known.hash)).toEqual(known);
    expect(state.versionSegments().get(known.hash)).toBe('log/w.1/0000000001-0123456789abcdef'); // left as it was
    expect(
      state
        .pendingVersions()
        .map((v) => v.path)
        .sort(),
    ).toEqual(['b.md', 'b.md', 'c.md']);
    const records = state.localRecords();
    expect([...records.keys()].sort()).toEqual(['a.md', 'b.md']);
    expect(records.get('a.md')).toMatchObject({ treePath: 'a.md', version: known.hash, ino: 1001 });
    expect(records.get('b.md')).toMatchObject({ version: second.hash, ino: 1003 });
    state.close();
  });

  it("a full temporary folder is said to be that, with SQLite's code kept for the command's exit code", async () => {
    const state = new LocalState(join(await tempDir(), 'state.db'));
    // The real connection, except that writing the TEMP table finds its disk full (a 64 KiB tmpfs
    // in SQLITE_TMPDIR did the same by hand: exit 7, and the next sync with room passed).
    const full = Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    const db = new Proxy(state.db, {
      get(target, key) {
        if (key === 'prepare')
          return (sql: string) =>
            sql.startsWith('INSERT INTO temp.')
              ? {
                  run() {
                    throw full;
                  },
                }
              : target.prepare(sql);
        const value = Reflect.get(target, key) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const staged = new StagedVersions(db);
    const add = () => Array.from({ length: 1000 }, (_, i) => staged.add(file(`n${i}.md`, i), `n${i}.md`, stat(i)));
    const thrown = (() => {
      try {
        add();
      } catch (e) {
        return e as Error & { cause?: unknown };
      }
      return undefined;
    })();
    expect(thrown?.message).toMatch(/SQLite's temporary folder is full .*SQLITE_TMPDIR/);
    expect(thrown?.cause).toBe(full);
    expect(state.pendingVersions()).toEqual([]);
    state.close();
  });

  it('a scan cut short leaves nothing staged: the next round on the same library records exactly what it finds', async () => {
    const remote = createMemoryStorage();
    const a = await makeNode(remote, 'a');
    for (let i = 0; i < 1500; i++) await writeFile(join(a.dir, `n${i}.md`), `note ${i}\n`);
    const controller = new AbortController();
    const cut = a.lib.sync({ signal: controller.signal, onProgress: (p) => p.phase === 'scan' && p.done >= 1200 && controller.abort() });
    await expect(cut).rejects.toMatchObject({ code: 'Aborted' });
    expect(stagedRows(a.lib.state)).toBeGreaterThanOrEqual(1000); // it had staged versions when it stopped
    expect(a.lib.state.pendingVersions()).toEqual([]);

    // Meanwhile half the notes go: the versions staged for them must not come back.
    for (let i = 0; i < 750; i++) await unlink(join(a.dir, `n${i}.md`));
    const s = await a.lib.sync();
    expect(s.errors).toEqual([]);
    expect(s.uploaded.versions).toBe(750);
    expect(stagedRows(a.lib.state)).toBe(0);
    const heads = a.lib.state.allVersions();
    expect(heads.map((v) => v.path).sort()).toEqual(Array.from({ length: 750 }, (_, i) => `n${i + 750}.md`).sort());
    expect(a.lib.state.localRecords().size).toBe(750);
    await a.lib.close();
  }, 60_000);
});
