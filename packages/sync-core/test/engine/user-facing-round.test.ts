/**
 * Engine behaviour behind issue 16: a fresh edit is taken (or named when it keeps changing), an
 * aborted round stops between files and the next one resumes, and a read-only library reads
 * the state beside a library that holds the lock.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
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

    const writer = await keepAppending(join(a.dir, 'busy.log'));
    try {
      const second = await a.sync();
      expect(second.skipped).toEqual([{ path: 'busy.log', reason: expect.stringMatching(/still being written/) }]);
      expect(second.local.added).toBe(0);
    } finally {
      writer.kill();
      await once(writer, 'exit');
    }
    await a.lib.close();
  });
});

/**
 * Another program appending to a log all the while. A child process, as in life: a writer in this
 * process's event loop paused whenever the sync held the loop on a loaded machine, and its file
 * then looked settled (a CI run failed so).
 */
async function keepAppending(file: string): Promise<ChildProcess> {
  const program = `const fs = require('node:fs');
    fs.appendFileSync(process.argv[1], 'start\\n');
    setInterval(() => fs.appendFileSync(process.argv[1], Date.now() + '\\n'), 10);
    process.stdout.write('writing\\n');`;
  const child = spawn(process.execPath, ['-e', program, file], { stdio: ['ignore', 'pipe', 'inherit'] });
  await once(child.stdout!, 'data');
  return child;
}

describe('abort', () => {
  it('an abort during materialization stops between files; the next round completes', async () => {
    const remote = createMemoryStorage();
    const a = await makeNode(remote, 'a');
    await mkdir(join(a.dir, 'n'));
    for (let i = 0; i < 200; i++) await writeFile(join(a.dir, 'n', `${i}.md`), `note ${i}\n`);
    await a.sync();
    const b = await makeNode(remote, 'b');
    const controller = new AbortController();
    // `done` counts files finished, several at a time: it can step over 20, never stay below it.
    const aborted = b.lib.sync({ signal: controller.signal, onProgress: (p) => p.phase === 'materialize' && p.done >= 20 && controller.abort() });
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
