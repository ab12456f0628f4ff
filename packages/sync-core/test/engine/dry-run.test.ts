/**
 * `sync({ dryRun: true })` announces what a round would do and changes nothing: not the remote
 * (no write reaches it, its objects are byte-identical), not the folder, not the state; and the
 * real sync after it does exactly what it announced.
 */
import { mkdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StorageError, type FileAction, type Library, type Storage } from '@syncacross/sync-core';
import { createMemoryStorage } from '@syncacross/sync-core/testing';
import { cleanup, makeNode, snapshot, syncAll } from './helpers.js';

afterEach(cleanup);

/** A remote that counts every write that reaches it. */
function countingWrites(inner: Storage): Storage & { writes: string[] } {
  const writes: string[] = [];
  return {
    name: inner.name,
    capabilities: inner.capabilities,
    writes,
    get: (k, o) => inner.get(k, o),
    list: (p, o) => inner.list(p, o),
    putIfAbsent: (k, b) => (writes.push(`put ${k}`), inner.putIfAbsent(k, b)),
    ...(inner.delete ? { delete: (k: string) => (writes.push(`delete ${k}`), inner.delete!(k)) } : {}),
  };
}

/** Every object on the remote with its bytes, as text. */
async function remoteObjects(storage: Storage): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  let cursor: string | undefined;
  do {
    const page = await storage.list('', cursor ? { cursor } : {});
    for (const o of page.objects) out[o.key] = Buffer.from(await storage.get(o.key)).toString('base64');
    cursor = page.cursor;
  } while (cursor);
  return out;
}

/** Every row of every table of the library's state. */
function stateDump(lib: Library): Record<string, unknown[]> {
  const tables = lib.state.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[];
  return Object.fromEntries(tables.map(({ name }) => [name, lib.state.db.prepare(`SELECT * FROM "${name}"`).all()]));
}

const byPath = (files: FileAction[]) => [...files].sort((a, b) => (a.path + a.action < b.path + b.action ? -1 : 1));

describe('sync --dry-run', () => {
  it('announces downloads, local deletes and uploads, changes nothing, and the real sync does exactly that', async () => {
    const remote = countingWrites(createMemoryStorage());
    const a = await makeNode(remote, 'a');
    const b = await makeNode(remote, 'b');
    await writeFile(join(a.dir, 'edited.txt'), 'v1');
    await writeFile(join(a.dir, 'gone.txt'), 'bye');
    await syncAll([a, b]);
    await writeFile(join(a.dir, 'edited.txt'), 'v2, longer');
    await writeFile(join(a.dir, 'added.txt'), 'new on A');
    await rm(join(a.dir, 'gone.txt'));
    await a.sync();
    await writeFile(join(b.dir, 'mine.txt'), 'new on B');

    const folderBefore = await snapshot(b.dir);
    const stateBefore = stateDump(b.lib);
    const objectsBefore = await remoteObjects(remote);
    const writesBefore = remote.writes.length;
    const plan = await b.lib.sync({ dryRun: true });

    expect(plan.dryRun).toBe(true);
    expect(byPath(plan.files)).toEqual([
      { path: 'added.txt', action: 'download', change: 'new', kind: 'file', bytes: 8 },
      { path: 'edited.txt', action: 'download', change: 'changed', kind: 'file', bytes: 10 },
      { path: 'gone.txt', action: 'delete-local', kind: 'file', bytes: 0 },
      { path: 'mine.txt', action: 'upload', change: 'new', kind: 'file', bytes: 8 },
    ]);
    expect(plan.local).toEqual({ added: 1, changed: 0, deleted: 0 });
    expect(plan.remote).toEqual({ added: 1, changed: 1, deleted: 1 });
    expect(plan.downloaded).toEqual({ files: 2, bytes: 18 });
    expect(plan.uploaded).toMatchObject({ versions: 1, segments: 1, packs: 1 });
    expect(plan.errors).toEqual([]);
    expect(remote.writes.slice(writesBefore)).toEqual([]);
    expect(plan.requests.putIfAbsent).toBe(0);
    expect(await remoteObjects(remote)).toEqual(objectsBefore);
    expect(await snapshot(b.dir)).toEqual(folderBefore);
    expect(stateDump(b.lib)).toEqual(stateBefore);

    const real = await b.sync();
    expect(real.dryRun).toBeUndefined();
    expect(byPath(real.files)).toEqual(byPath(plan.files));
    expect({ local: real.local, remote: real.remote, downloaded: real.downloaded }).toEqual({ local: plan.local, remote: plan.remote, downloaded: plan.downloaded });
    expect(real.uploaded).toEqual(plan.uploaded);
    await a.sync();
    expect(await snapshot(a.dir)).toEqual(await snapshot(b.dir));
    await a.lib.close();
    await b.lib.close();
  });

  it('announces publishing edits and deletes (folders too) without writing one object', async () => {
    const remote = countingWrites(createMemoryStorage());
    const a = await makeNode(remote, 'a');
    await writeFile(join(a.dir, 'kept.txt'), 'same');
    await writeFile(join(a.dir, 'edited.txt'), 'v1');
    await writeFile(join(a.dir, 'deleted.txt'), 'x');
    await a.sync();
    await writeFile(join(a.dir, 'edited.txt'), 'version 2');
    await rm(join(a.dir, 'deleted.txt'));
    await mkdir(join(a.dir, 'docs'));
    await writeFile(join(a.dir, 'docs/new.txt'), 'hello');

    const objectsBefore = await remoteObjects(remote);
    const writesBefore = remote.writes.length;
    const plan = await a.lib.sync({ dryRun: true });
    expect(byPath(plan.files)).toEqual([
      { path: 'deleted.txt', action: 'delete-remote', kind: 'file', bytes: 0 },
      { path: 'docs/new.txt', action: 'upload', change: 'new', kind: 'file', bytes: 5 },
      { path: 'edited.txt', action: 'upload', change: 'changed', kind: 'file', bytes: 9 },
    ]);
    expect(plan.uploaded.bytes).toBeGreaterThan(0);
    expect(remote.writes.slice(writesBefore)).toEqual([]);
    expect(await remoteObjects(remote)).toEqual(objectsBefore);

    // The next real round is not changed by the dry run: it publishes the same, and writes.
    const real = await a.sync();
    expect(byPath(real.files)).toEqual(byPath(plan.files));
    expect(real.uploaded).toEqual(plan.uploaded);
    expect(remote.writes.length).toBeGreaterThan(writesBefore);
    await a.lib.close();
  });

  it('announces the conflict copy of a concurrent edit, the same each time, and the sync writes it', async () => {
    const remote = countingWrites(createMemoryStorage());
    const a = await makeNode(remote, 'a');
    const b = await makeNode(remote, 'b');
    await writeFile(join(a.dir, 'notes.md'), 'base');
    await syncAll([a, b]);
    await writeFile(join(a.dir, 'notes.md'), 'edit from A');
    await writeFile(join(b.dir, 'notes.md'), 'edit from B, longer');
    await a.sync();

    const writesBefore = remote.writes.length;
    const plan = await b.lib.sync({ dryRun: true });
    expect(byPath((await b.lib.sync({ dryRun: true })).files)).toEqual(byPath(plan.files));
    expect(remote.writes.length).toBe(writesBefore);
    expect(plan.files.filter((f) => f.action === 'upload').map((f) => f.path)).toEqual(['notes.md']);
    const copy = plan.files.find((f) => f.action === 'conflict-copy');
    expect(copy?.path).toMatch(/^notes\.sync-conflict-.*\.md$/);
    expect(plan.conflicts).toEqual([copy!.path]);
    expect(await snapshot(b.dir)).toEqual({ 'notes.md': 'edit from B, longer' });

    const real = await b.sync();
    expect(byPath(real.files)).toEqual(byPath(plan.files));
    expect(real.conflicts).toEqual(plan.conflicts);
    await a.lib.close();
    await b.lib.close();
  });

  it('a rename, a new empty folder and a file that became a folder are announced as the sync then does them', async () => {
    const remote = countingWrites(createMemoryStorage());
    const a = await makeNode(remote, 'a');
    const b = await makeNode(remote, 'b');
    await writeFile(join(a.dir, 'old-name.txt'), 'content moves');
    await writeFile(join(a.dir, 'thing'), 'a file for now');
    await syncAll([a, b]);
    await rename(join(a.dir, 'old-name.txt'), join(a.dir, 'new-name.txt'));
    await rm(join(a.dir, 'thing'));
    await mkdir(join(a.dir, 'thing'));
    await writeFile(join(a.dir, 'thing/inside.txt'), 'in');
    await mkdir(join(a.dir, 'empty'));
    await a.sync();

    const folderBefore = await snapshot(b.dir);
    const writesBefore = remote.writes.length;
    const plan = await b.lib.sync({ dryRun: true });
    expect(remote.writes.length).toBe(writesBefore);
    expect(await snapshot(b.dir)).toEqual(folderBefore);
    expect(plan.files.map((f) => `${f.action} ${f.path}${f.kind === 'dir' ? '/' : ''}`).sort()).toEqual([
      'delete-local old-name.txt',
      'delete-local thing',
      'download empty/',
      'download new-name.txt',
      'download thing/inside.txt',
    ]);
    const real = await b.sync();
    expect(real.files).toEqual(plan.files); // in the same order, too
    expect(await snapshot(b.dir)).toEqual(await snapshot(a.dir));
    await a.lib.close();
    await b.lib.close();
  });

  it('counts what was staged while the remote was unreachable, which the sync then sends first', async () => {
    const remote = countingWrites(createMemoryStorage());
    const down = { on: false };
    const unreachable = <T>(fn: () => Promise<T>) => (down.on ? Promise.reject(new StorageError('Unavailable', 'the NAS is asleep')) : fn());
    const flaky: Storage = {
      name: remote.name,
      capabilities: remote.capabilities,
      get: (k, o) => unreachable(() => remote.get(k, o)),
      list: (p, o) => unreachable(() => remote.list(p, o)),
      putIfAbsent: (k, b) => unreachable(() => remote.putIfAbsent(k, b)),
    };
    const a = await makeNode(flaky, 'a', { retry: false });
    await writeFile(join(a.dir, 'before.txt'), 'online');
    await a.sync();
    down.on = true;
    await writeFile(join(a.dir, 'offline.txt'), 'written offline');
    await expect(a.sync()).rejects.toThrow(/staged/);
    down.on = false;
    const staged = a.lib.status().staged;
    expect(staged.packs).toBeGreaterThan(0);

    const writesBefore = remote.writes.length;
    const plan = await a.lib.sync({ dryRun: true });
    expect(remote.writes.length).toBe(writesBefore);
    expect(a.lib.status().staged).toEqual(staged);
    expect(plan.files).toEqual([{ path: 'offline.txt', action: 'upload', change: 'new', kind: 'file', bytes: 15 }]);
    expect(plan.notices.join('\n')).toMatch(/would upload \d+ pack\(s\) staged locally/);
    const real = await a.sync();
    expect(real.files).toEqual(plan.files);
    expect(real.uploaded).toEqual(plan.uploaded);
    expect(a.lib.status().staged.packs).toBe(0);
    await a.lib.close();
  });

  it('names what it could not sync, as a sync would', async () => {
    const a = await makeNode(createMemoryStorage(), 'a');
    await writeFile(join(a.dir, 'target.txt'), 't');
    await symlink(join(a.dir, 'target.txt'), join(a.dir, 'link.txt'));
    const plan = await a.lib.sync({ dryRun: true });
    expect(plan.skipped.map((s) => s.path)).toEqual(['link.txt']);
    const real = await a.sync();
    expect(real.skipped).toEqual(plan.skipped);
    await a.lib.close();
  });
});
