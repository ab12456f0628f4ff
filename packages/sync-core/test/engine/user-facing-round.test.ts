/**
 * Engine behaviour behind issue 16: a fresh edit is taken (or named when it keeps changing), an
 * aborted round stops between files and the next one resumes, and a read-only library reads
 * the state beside a library that holds the lock.
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openLibrary } from '@syncacross/sync-core';
import { createMemoryStorage } from '@syncacross/sync-core/testing';
import { cleanup, makeNode, snapshot } from './helpers.js';

afterAll(cleanup);

describe('fresh edits (settle)', () => {
  it('a file written a moment ago is synced; one written throughout is named in skipped', async () => {
    const remote = createMemoryStorage();
    const a = await makeNode(remote, 'a', { stableAfterMs: 2000, settleWaitMs: 800 });
    writeFileSync(join(a.dir, 'fresh.md'), 'just saved\n');
    const first = await a.sync();
    expect(first.local.added).toBe(1);
    expect(first.skipped).toEqual([]);

    const file = join(a.dir, 'busy.log');
    writeFileSync(file, 'start\n');
    const writer = setInterval(() => appendFileSync(file, `${Date.now()}\n`), 30);
    try {
      const second = await a.sync();
      expect(second.skipped).toEqual([{ path: 'busy.log', reason: expect.stringMatching(/still being written/) }]);
      expect(second.local.added).toBe(0);
    } finally {
      clearInterval(writer);
    }
    await a.lib.close();
  });
});

describe('abort', () => {
  it('an abort during materialization stops between files; the next round completes', async () => {
    const remote = createMemoryStorage();
    const a = await makeNode(remote, 'a');
    await mkdir(join(a.dir, 'n'));
    for (let i = 0; i < 200; i++) await writeFile(join(a.dir, 'n', `${i}.md`), `note ${i}\n`);
    await a.sync();
    const b = await makeNode(remote, 'b');
    const controller = new AbortController();
    const aborted = b.lib.sync({ signal: controller.signal, onProgress: (p) => p.phase === 'materialize' && p.done === 20 && controller.abort() });
    await expect(aborted).rejects.toMatchObject({ code: 'Aborted' });
    const partial = Object.keys(await snapshot(b.dir)).length;
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(200);
    await b.sync();
    expect(await snapshot(b.dir)).toEqual(await snapshot(a.dir));
    await a.lib.close();
    await b.lib.close();
  });
});

describe('read-only', () => {
  it('opens beside a library that holds the lock, reads, and refuses to sync', async () => {
    const remote = createMemoryStorage();
    const a = await makeNode(remote, 'a');
    await writeFile(join(a.dir, 'x.md'), 'x\n');
    await a.sync();
    const reader = await openLibrary({ dir: a.dir, storage: remote, readOnly: true });
    try {
      expect(reader.status().files).toBe(1);
      expect(reader.history().map((h) => h.path)).toEqual(['x.md']);
      await expect(reader.sync()).rejects.toThrow(/read-only/);
    } finally {
      await reader.close();
    }
    await writeFile(join(a.dir, 'y.md'), 'y\n');
    expect((await a.sync()).local.added).toBe(1); // the reader took nothing from the owner
    await a.lib.close();
  });
});
