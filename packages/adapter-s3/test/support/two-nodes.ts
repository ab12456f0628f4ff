/**
 * Two engine nodes (two `openLibrary` libraries in their own folders) sharing one S3 remote: each
 * edits, both edit one file concurrently, both sync until they converge. The shape of sync-core's
 * test/engine/helpers.ts (makeNode, snapshot), over a real adapter.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLibrary, type Storage } from '@syncacross/sync-core';

/** The folder's files as {relative path: text (size and first bytes for large ones)}, without our state folder. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    const rel = join(e.parentPath, e.name).slice(dir.length + 1);
    if (!e.isFile() || rel.startsWith('.syncacross')) continue;
    const bytes = await readFile(join(dir, rel));
    out[rel] = bytes.byteLength > 1024 ? `<${bytes.byteLength} bytes ${bytes.subarray(0, 8).toString('hex')}>` : bytes.toString('utf8');
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
}

export interface TwoNodeResult {
  a: Record<string, string>;
  b: Record<string, string>;
}

/**
 * Runs the scenario; `open(name)` gives each node its own storage client of the shared remote
 * (as two machines would have). `largeBytes` adds a file big enough to make a multipart-sized pack.
 */
export async function syncTwoNodes(open: (node: string) => Promise<Storage>, options: { largeBytes?: number } = {}): Promise<TwoNodeResult> {
  const dirs = [await mkdtemp(join(tmpdir(), 'syncacross-s3-a-')), await mkdtemp(join(tmpdir(), 'syncacross-s3-b-'))] as const;
  const libs = [];
  try {
    for (const [i, name] of ['a', 'b'].entries()) {
      libs.push(await openLibrary({ dir: dirs[i]!, storage: await open(name), nodeName: name, stableAfterMs: 0, retry: { baseDelayMs: 1, maxDelayMs: 5 } }));
    }
    const [a, b] = libs as [(typeof libs)[0], (typeof libs)[0]];
    const [da, db] = dirs;
    await mkdir(join(da, 'docs'), { recursive: true });
    await writeFile(join(da, 'docs/from-a.txt'), 'written on a');
    await writeFile(join(da, 'shared.txt'), 'base');
    if (options.largeBytes) await writeFile(join(da, 'large.bin'), randomBytes(options.largeBytes));
    for (let i = 0; i < 12; i++) await writeFile(join(da, `docs/many-${i}.txt`), `file ${i}`);
    await a.sync();
    await b.sync();
    await writeFile(join(db, 'from-b.txt'), 'written on b');
    await writeFile(join(da, 'shared.txt'), 'edit from a');
    await writeFile(join(db, 'shared.txt'), 'edit from b, longer');
    await a.sync();
    await b.sync();
    await a.sync();
    return { a: await snapshot(da), b: await snapshot(db) };
  } finally {
    for (const lib of libs) await lib.close();
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  }
}
