import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { openLibrary, type Library, type LibraryOptions, type Storage } from '@syncacross/sync-core';

export interface TestNode {
  dir: string;
  lib: Library;
  sync(): ReturnType<Library['sync']>;
}

const dirs: string[] = [];

export async function tempDir(prefix = 'syncacross-lib-'): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}

export async function cleanup(): Promise<void> {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
}

export async function makeNode(storage: Storage, name: string, extra: Partial<LibraryOptions> = {}): Promise<TestNode> {
  const dir = extra.dir ?? (await tempDir(`syncacross-${name}-`));
  const lib = await openLibrary({ dir, storage, nodeName: name, stableAfterMs: 0, retry: { baseDelayMs: 1, maxDelayMs: 5 }, ...extra });
  return { dir, lib, sync: () => lib.sync() };
}

/** The folder's content as {relative path: text}, excluding our state folder. */
export async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  async function walk(d: string) {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      const rel = relative(dir, p).split('\\').join('/');
      if (rel === '.syncacross' || rel.startsWith('.syncacross/')) continue;
      if (e.isDirectory()) {
        const before = Object.keys(out).length;
        await walk(p);
        if (Object.keys(out).length === before) out[`${rel}/`] = '<dir>';
      } else out[rel] = (await readFile(p)).toString('utf8');
    }
  }
  await walk(dir);
  return out;
}

export async function syncAll(nodes: TestNode[], rounds = 2): Promise<void> {
  for (let r = 0; r < rounds; r++) for (const n of nodes) await n.sync();
}

export async function mode(path: string): Promise<number> {
  return (await stat(path)).mode & 0o777;
}

/** Deterministic pseudo-random bytes (xorshift32), so a failure can be replayed. */
export function randomData(n: number, seed: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    b[i] = x & 0xff;
  }
  return b;
}
