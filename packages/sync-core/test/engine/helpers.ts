import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { createHash } from 'node:crypto';
import { openLibrary, type Library, type LibraryOptions, type Storage } from '@syncacross/sync-core';
import { createMemoryStorage, type MemoryStorage } from '@syncacross/sync-core/testing';
import { FORMAT_1, type RepositoryCodec } from '../../src/codec/repository-codec.js';
import { PackWriter } from '../../src/engine/packs.js';
import type { ChunkLocation } from '../../src/model/chunk-location.js';

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

/** Two nodes of one memory remote, with `files` ({path: text}) written on a (opened with `aOptions`) and synced to b. */
export async function twoSyncedNodes(files: Record<string, string>, aOptions: Partial<LibraryOptions> = {}): Promise<{ a: TestNode; b: TestNode }> {
  const remote = createMemoryStorage();
  const a = await makeNode(remote, 'a', aOptions);
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(a.dir, path, '..'), { recursive: true });
    await writeFile(join(a.dir, path), content);
  }
  await a.sync();
  const b = await makeNode(remote, 'b');
  await b.sync();
  return { a, b };
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

/**
 * Chunks packed into a remote (an in-memory one unless given) as an upload packs them (format 1,
 * stored as they are, unless another codec is given), in order, with where each one went (`byHash`, for a ChunkFetcher), the
 * bytes stored and the packs written.
 */
export async function packedInMemory<S extends Storage = MemoryStorage>(chunks: Iterable<Uint8Array>, o: { storage?: S; packSize?: number; codec?: RepositoryCodec } = {}) {
  const storage = (o.storage ?? createMemoryStorage()) as S;
  const located: ChunkLocation[] = [];
  const writer = new PackWriter(
    storage,
    o.codec ?? FORMAT_1,
    (l) => located.push(...l),
    () => false,
    o.packSize,
  );
  for (const c of chunks) await writer.add(createHash('sha256').update(c).digest('hex'), c);
  await writer.flush();
  return { storage, byHash: new Map(located.map((l) => [l[0], [l]])), stored: located.reduce((n, l) => n + l[3], 0), packs: writer.packsWritten };
}
