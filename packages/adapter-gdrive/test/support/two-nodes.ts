/**
 * Two machines syncing one library through the adapter: two `openLibrary` libraries, each with
 * its own storage instance (no shared cache, as two processes), edits on both, then the check
 * that both folders end up the same. Used with the emulator's real-world modes on.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { openLibrary, type Library, type Storage } from '@syncacross/sync-core';

export interface TestNode {
  dir: string;
  lib: Library;
}

/** A library in a fresh temporary folder; its folder is listed in `dirs` for removal. */
export async function openNode(storage: Storage, name: string, dirs: string[]): Promise<TestNode> {
  const dir = await mkdtemp(join(tmpdir(), `syncacross-gdrive-${name}-`));
  dirs.push(dir);
  const lib = await openLibrary({ dir, storage, nodeName: name, stableAfterMs: 0, retry: { baseDelayMs: 1, maxDelayMs: 5 } });
  return { dir, lib };
}

/** Closes the libraries and removes their folders. */
export async function closeNodes(nodes: TestNode[], dirs: string[]): Promise<void> {
  for (const n of nodes) await n.lib.close();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
}

/** The folder's files as {relative path: text}, without the state folder. */
export async function folderContent(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    const path = join(e.parentPath, e.name);
    const rel = relative(dir, path).split('\\').join('/');
    if (e.isFile() && !rel.startsWith('.syncacross')) out[rel] = await readFile(path, 'utf8');
  }
  return out;
}

/**
 * A writes, B joins and writes, both edit, both sync until quiet. Returns both folders' content
 * (the caller checks they agree and hold every edit).
 */
export async function twoNodesSync(storageFor: () => Promise<Storage>): Promise<{ a: Record<string, string>; b: Record<string, string> }> {
  const dirs: string[] = [];
  const nodes: TestNode[] = [];
  try {
    const a = await openNode(await storageFor(), 'a', dirs);
    nodes.push(a);
    await writeFile(join(a.dir, 'from-a.txt'), 'written on A');
    await writeFile(join(a.dir, 'shared.txt'), 'base');
    await a.lib.sync();
    const b = await openNode(await storageFor(), 'b', dirs);
    nodes.push(b);
    await b.lib.sync();
    await writeFile(join(b.dir, 'from-b.txt'), 'written on B');
    await writeFile(join(b.dir, 'shared.txt'), 'edited on B');
    await b.lib.sync();
    await writeFile(join(a.dir, 'later-a.txt'), 'written on A later');
    for (let round = 0; round < 2; round++) for (const n of [a, b]) await n.lib.sync();
    return { a: await folderContent(a.dir), b: await folderContent(b.dir) };
  } finally {
    await closeNodes(nodes, dirs);
  }
}

/** What both folders must hold after twoNodesSync. */
export const EXPECTED_AFTER_TWO_NODES = { 'from-a.txt': 'written on A', 'from-b.txt': 'written on B', 'later-a.txt': 'written on A later', 'shared.txt': 'edited on B' };
