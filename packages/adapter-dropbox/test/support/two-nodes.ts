/**
 * A two-node engine sync through one Dropbox remote: two libraries (as two machines would open
 * them, each with its own adapter) edit, sync a few rounds, and must end with the same folder.
 * The helpers mirror sync-core's test/engine/helpers.ts (makeNode, snapshot), which are not
 * exported from the package.
 */
import { mkdtemp, readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { openLibrary, type Library, type Storage } from '@syncacross/sync-core';

async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  async function walk(d: string): Promise<void> {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      const rel = relative(dir, p).split('\\').join('/');
      if (rel === '.syncacross' || rel.startsWith('.syncacross/')) continue;
      if (e.isDirectory()) await walk(p);
      else out[rel] = (await readFile(p)).toString('utf8');
    }
  }
  await walk(dir);
  return out;
}

async function put(dir: string, path: string, text: string): Promise<void> {
  await mkdir(dirname(join(dir, path)), { recursive: true });
  await writeFile(join(dir, path), text);
}

/**
 * Node a starts a library, node b joins it, both edit (different files, and the same file at
 * once), and both sync until they agree. `extraFiles` are written on a first. Returns both
 * folders' contents.
 */
export async function twoNodeSync(
  openStorage: (node: 'a' | 'b') => Promise<Storage>,
  { rounds = 3, extraFiles = {} }: { rounds?: number; extraFiles?: Record<string, string> } = {},
): Promise<{ a: Record<string, string>; b: Record<string, string> }> {
  const dirs = [await mkdtemp(join(tmpdir(), 'syncacross-dbx-a-')), await mkdtemp(join(tmpdir(), 'syncacross-dbx-b-'))] as const;
  const libs: Library[] = [];
  try {
    const open = async (node: 'a' | 'b', dir: string) => {
      const lib = await openLibrary({ dir, storage: await openStorage(node), nodeName: node, stableAfterMs: 0, retry: { baseDelayMs: 1, maxDelayMs: 20, retries: 30 } });
      libs.push(lib);
      return lib;
    };
    const a = await open('a', dirs[0]);
    await put(dirs[0], 'docs/shared.md', 'base');
    await put(dirs[0], 'a.txt', 'from a');
    for (const [path, text] of Object.entries(extraFiles)) await put(dirs[0], path, text);
    await a.sync();
    const b = await open('b', dirs[1]);
    await b.sync();
    await put(dirs[1], 'b/notes.txt', 'from b');
    await put(dirs[0], 'docs/shared.md', 'edited on a');
    await put(dirs[1], 'docs/shared.md', 'edited on b');
    for (let r = 0; r < rounds; r++) for (const lib of [a, b]) await lib.sync();
    return { a: await snapshot(dirs[0]), b: await snapshot(dirs[1]) };
  } finally {
    for (const lib of libs) await lib.close();
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  }
}
