/** A crashed writer blocks no one, and a killed sync recovers by itself on the next run. */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createFsStorage } from '@syncacross/adapter-fs';
import { killWhen } from './kill-child.js';
import { cleanup, makeNode, snapshot, tempDir } from './helpers.js';

const dist = fileURLToPath(new URL('../../dist/index.js', import.meta.url));

beforeAll(() => {
  if (!existsSync(dist)) throw new Error('these tests run the built engine in a child process: run `npm run build` first (npm test does)');
});
afterEach(cleanup);

/** The library's own files: not the state under .syncacross/, nor a download's temporary files. */
async function countLibraryFiles(dir: string): Promise<number> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []);
  return entries.filter((e) => e.isFile() && !e.name.includes('syncacross-tmp') && !join(e.parentPath, e.name).slice(dir.length).includes('/.syncacross')).length;
}

async function library(dir: string, files: number, size: number) {
  await mkdir(dir, { recursive: true });
  for (let i = 0; i < files; i++) await writeFile(join(dir, `f${String(i).padStart(3, '0')}.bin`), randomBytes(size));
}

describe('SIGKILL of a real sync process', () => {
  it('mid-upload: packs written, no segment yet; the next run finishes and others see everything', async () => {
    const remoteDir = await tempDir('syncacross-remote-');
    const a = await tempDir('syncacross-a-');
    await library(a, 40, 256 * 1024);
    // Segment writes never answer (the child's stallSegments), so however late the kill comes,
    // it comes before the segment: a delay alone would only make that likely.
    await killWhen([a, remoteDir, 'a', '30', String(1024 * 1024), '', '1'], async () => existsSync(join(remoteDir, 'packs')) && (await readdir(join(remoteDir, 'packs'))).length >= 2);
    expect(existsSync(join(remoteDir, 'log'))).toBe(false); // killed before the segment: nobody can see a half-upload

    const remote = await createFsStorage({ root: remoteDir });
    const again = await makeNode(remote, 'a', { dir: a }); // takes over the dead process's lock at once
    await again.sync();
    const b = await makeNode(remote, 'b');
    await b.sync();
    expect(await snapshot(b.dir)).toEqual(await snapshot(a));
    await again.lib.close();
    await b.lib.close();
  });

  it('mid-materialize: the next run completes the download and leaves no temporary file', async () => {
    const remoteDir = await tempDir('syncacross-remote-');
    const remote = await createFsStorage({ root: remoteDir });
    const a = await makeNode(remote, 'a');
    await library(a.dir, 60, 128 * 1024);
    await a.sync();
    await a.lib.close();

    const b = await tempDir('syncacross-b-');
    // The 7.5 MiB pack is read in ranges of 1 MiB; reads past the fourth never answer (the
    // child's packReadsBeforeStall), so however late the kill comes, some files cannot have
    // landed. With a delay alone, a slow machine once let all of them land first.
    await killWhen([b, remoteDir, 'b', '20', String(16 * 1024 * 1024), '4'], async () => (await countLibraryFiles(b)) >= 8);
    const partial = await countLibraryFiles(b);
    expect(partial).toBeGreaterThanOrEqual(8);
    expect(partial).toBeLessThan(60);

    const again = await makeNode(remote, 'b', { dir: b });
    await again.sync();
    expect(await snapshot(b)).toEqual(await snapshot(a.dir));
    const leftovers = (await readdir(b, { recursive: true })).filter((n) => String(n).includes('syncacross-tmp'));
    expect(leftovers).toEqual([]);
    await again.lib.close();
  });

  it('a crashed node blocks no other node, with no wait', async () => {
    const remoteDir = await tempDir('syncacross-remote-');
    const a = await tempDir('syncacross-a-');
    await library(a, 20, 64 * 1024);
    await killWhen([a, remoteDir, 'a', '30', String(256 * 1024)], async () => existsSync(join(remoteDir, 'packs')));
    const remote = await createFsStorage({ root: remoteDir });
    const b = await makeNode(remote, 'b');
    await writeFile(join(b.dir, 'from-b.txt'), 'b');
    // No lock, so nothing to wait out: the sync completes, and it never sleeps (a lock TTL or a
    // back-off would show as a sleep; counted, not timed, so machine load cannot change it).
    const slept: number[] = [];
    const realSetTimeout = globalThis.setTimeout;
    const spy = vi.spyOn(globalThis, 'setTimeout').mockImplementation(((fn: () => void, ms?: number, ...args: unknown[]) => {
      if ((ms ?? 0) >= 50) slept.push(ms!);
      return Reflect.apply(realSetTimeout, globalThis, [fn, ms, ...args]) as ReturnType<typeof setTimeout>;
    }) as typeof setTimeout);
    try {
      await b.sync();
    } finally {
      spy.mockRestore();
    }
    expect(slept).toEqual([]);
    await b.lib.close();
  });
});
