/**
 * Two engine nodes (two `openLibrary` libraries) sharing one remote: both edit, the same file
 * and files of their own, in interleaved and concurrent rounds; they must end identical with
 * every edit kept (as the file or a conflict copy). Used to run each real-world emulator mode
 * under the engine, not only under the storage conformance suite.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { openLibrary, type Library, type Storage } from '@syncacross/sync-core';

async function folder(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    const rel = join(e.parentPath, e.name).slice(dir.length + 1);
    if (e.isFile() && !rel.startsWith('.syncacross')) out[rel] = await readFile(join(dir, rel), 'utf8');
  }
  return Object.fromEntries(Object.entries(out).sort());
}

export interface TwoNodeResult {
  a: Record<string, string>;
  b: Record<string, string>;
  /** Every text either node wrote last to the shared file, which both must still have. */
  lastEdits: string[];
}

/** `storage(name)` gives each node its own adapter instance on the same remote. */
export async function twoNodesConverge(storage: (node: string) => Promise<Storage>, extraFiles: Record<string, string> = {}): Promise<TwoNodeResult> {
  const dirs: string[] = [];
  const libs: Library[] = [];
  try {
    for (const name of ['a', 'b']) {
      const dir = await mkdtemp(join(tmpdir(), `onedrive-two-nodes-${name}-`));
      dirs.push(dir);
      libs.push(await openLibrary({ dir, storage: await storage(name), nodeName: name, stableAfterMs: 0, retry: { baseDelayMs: 5, retries: 10 } }));
    }
    const [a, b] = libs as [Library, Library];
    const [da, db] = dirs as [string, string];
    await writeFile(join(da, 'shared.txt'), 'base');
    for (const [name, text] of Object.entries(extraFiles)) {
      await mkdir(dirname(join(da, name)), { recursive: true });
      await writeFile(join(da, name), text);
    }
    await a.sync();
    await b.sync();
    await writeFile(join(da, 'shared.txt'), 'edit from a');
    await writeFile(join(db, 'shared.txt'), 'edit from b');
    await writeFile(join(da, 'only-a.txt'), 'a');
    await writeFile(join(db, 'only-b.txt'), 'b');
    await Promise.all([a.sync(), b.sync()]);
    for (let i = 0; i < 2; i++) {
      await a.sync();
      await b.sync();
    }
    return { a: await folder(da), b: await folder(db), lastEdits: ['edit from a', 'edit from b'] };
  } finally {
    for (const l of libs) await l.close();
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  }
}
