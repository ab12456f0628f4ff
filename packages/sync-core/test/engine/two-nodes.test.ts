import { chmod, mkdir, rename, rm, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryStorage } from '@syncacross/sync-core/testing';
import { cleanup, makeNode, mode, snapshot, syncAll } from './helpers.js';

afterEach(cleanup);

describe('two nodes through one remote', () => {
  it('copies a library to a second machine, empty files and folders, modes and mtimes included', async () => {
    const remote = createMemoryStorage();
    const a = await makeNode(remote, 'a');
    await mkdir(join(a.dir, 'docs/empty-folder'), { recursive: true });
    await writeFile(join(a.dir, 'docs/report.txt'), 'hello');
    await writeFile(join(a.dir, 'empty.txt'), '');
    await writeFile(join(a.dir, 'run.sh'), '#!/bin/sh\necho hi\n');
    await chmod(join(a.dir, 'run.sh'), 0o755);
    await utimes(join(a.dir, 'docs/report.txt'), new Date('2020-01-02T03:04:05Z'), new Date('2020-01-02T03:04:05Z'));
    const first = await a.sync();
    expect(first.uploaded.segments).toBe(1);
    const b = await makeNode(remote, 'b');
    await b.sync();
    expect(await snapshot(b.dir)).toEqual(await snapshot(a.dir));
    expect(await mode(join(b.dir, 'run.sh'))).toBe(0o755);
    const { stat } = await import('node:fs/promises');
    expect((await stat(join(b.dir, 'docs/report.txt'))).mtime.toISOString()).toBe('2020-01-02T03:04:05.000Z');
    await a.lib.close();
    await b.lib.close();
  });

  it('a sync with nothing changed costs one listing request', async () => {
    const remote = createMemoryStorage();
    const a = await makeNode(remote, 'a');
    await writeFile(join(a.dir, 'x.txt'), 'x');
    await a.sync();
    const noop = await a.sync();
    expect(noop.totalRequests).toBe(1);
    expect(noop.requests.list).toBe(1);
    expect(noop.uploaded.segments).toBe(0);
    await a.lib.close();
  });

  it('keeps both versions of a concurrent edit: the winner keeps the name, the other is a conflict copy', async () => {
    const remote = createMemoryStorage();
    const a = await makeNode(remote, 'a');
    const b = await makeNode(remote, 'b');
    await writeFile(join(a.dir, 'notes.md'), 'base');
    await syncAll([a, b]);
    await writeFile(join(a.dir, 'notes.md'), 'edit from A');
    await writeFile(join(b.dir, 'notes.md'), 'edit from B, longer');
    await a.sync();
    const s = await b.sync();
    expect(s.conflicts).toHaveLength(1);
    await syncAll([a, b]);
    const sa = await snapshot(a.dir);
    expect(await snapshot(b.dir)).toEqual(sa);
    expect(Object.values(sa).sort()).toEqual(['edit from A', 'edit from B, longer']);
    expect(Object.keys(sa).find((k) => k.includes('.sync-conflict-'))).toMatch(/^notes\.sync-conflict-\d{8}-\d{6}-[0-9a-f]{8}\.md$/);
    await a.lib.close();
    await b.lib.close();
  });

  it('an edit survives a concurrent delete; a delete sticks when nobody edited', async () => {
    const remote = createMemoryStorage();
    const a = await makeNode(remote, 'a');
    const b = await makeNode(remote, 'b');
    await writeFile(join(a.dir, 'keep.txt'), 'v1');
    await writeFile(join(a.dir, 'drop.txt'), 'v1');
    await syncAll([a, b]);
    await rm(join(a.dir, 'keep.txt'));
    await rm(join(a.dir, 'drop.txt'));
    await writeFile(join(b.dir, 'keep.txt'), 'v2 from B');
    await syncAll([a, b]);
    expect(await snapshot(a.dir)).toEqual({ 'keep.txt': 'v2 from B' });
    expect(await snapshot(b.dir)).toEqual({ 'keep.txt': 'v2 from B' });
    await a.lib.close();
    await b.lib.close();
  });

  it('a rename uploads no content again', async () => {
    const remote = createMemoryStorage();
    const a = await makeNode(remote, 'a');
    const b = await makeNode(remote, 'b');
    await writeFile(join(a.dir, 'big.bin'), Buffer.alloc(3 * 1024 * 1024, 7));
    await syncAll([a, b]);
    await mkdir(join(a.dir, 'moved'));
    await rename(join(a.dir, 'big.bin'), join(a.dir, 'moved/big.bin'));
    const s = await a.sync();
    expect(s.uploaded.packs).toBe(0);
    await b.sync();
    expect(Object.keys(await snapshot(b.dir))).toEqual(['moved/big.bin']);
    await a.lib.close();
    await b.lib.close();
  });

  it('resolving a conflict: deleting the conflict copy keeps the winner everywhere', async () => {
    const remote = createMemoryStorage();
    const a = await makeNode(remote, 'a');
    const b = await makeNode(remote, 'b');
    await writeFile(join(a.dir, 'n.txt'), 'base');
    await syncAll([a, b]);
    await writeFile(join(a.dir, 'n.txt'), 'A');
    await writeFile(join(b.dir, 'n.txt'), 'BB');
    await syncAll([a, b]);
    const copy = Object.keys(await snapshot(a.dir)).find((k) => k.includes('sync-conflict'))!;
    await rm(join(a.dir, copy));
    await syncAll([a, b]);
    const sa = await snapshot(a.dir);
    expect(Object.keys(sa)).toEqual(['n.txt']);
    expect(await snapshot(b.dir)).toEqual(sa);
    await a.lib.close();
    await b.lib.close();
  });
});
