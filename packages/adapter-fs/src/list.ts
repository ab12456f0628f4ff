/**
 * list: walk the folders under the prefix, keep only names we would have written, and sort the
 * keys (a folder has no server-side order or page limit).
 */
import type { Stats } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { compareKeys, type ListOptions, type ListPage, type ObjectInfo } from '@syncacross/sync-core';
import { ensureRoot, type FsContext } from './context.js';
import { fsError, retryTransient } from './errors.js';
import { decodeName, encodeKey } from './names.js';

export async function list(ctx: FsContext, prefix: string, opts: ListOptions = {}): Promise<ListPage> {
  const root = ctx.root;
  await ensureRoot(ctx, 'list');
  const dirKey = prefix.slice(0, prefix.lastIndexOf('/') + 1); // the folder holding the prefix
  const dir = dirKey === '' ? root : join(root, ...encodeKey(dirKey.slice(0, -1)));
  const found: ObjectInfo[] = [];
  await walk(dir, dirKey, prefix, found);
  const after = opts.cursor ?? opts.startAfter;
  const sorted = found.filter((o) => after === undefined || compareKeys(o.key, after) > 0).sort((a, b) => compareKeys(a.key, b.key));
  // A folder has no server-side page limit: return everything unless a page size was asked.
  if (opts.pageSize === undefined || sorted.length <= opts.pageSize) return { objects: sorted };
  const objects = sorted.slice(0, opts.pageSize);
  return { objects, cursor: objects[objects.length - 1]!.key };
}

async function walk(dir: string, keyPrefix: string, prefix: string, out: ObjectInfo[]): Promise<void> {
  let entries;
  try {
    entries = await retryTransient(() => readdir(dir, { withFileTypes: true }));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return; // the sub-folder is simply empty
    throw fsError(e, `list ${dir}`);
  }
  const files: { key: string; path: string }[] = [];
  for (const entry of entries) {
    const segment = decodeName(entry.name);
    if (segment === undefined) continue; // not ours (temp files, OS junk, a user's stray file)
    const key = keyPrefix + segment;
    if (entry.isDirectory()) {
      const sub = `${key}/`;
      if (sub.startsWith(prefix) || prefix.startsWith(sub)) await walk(join(dir, entry.name), sub, prefix, out);
    } else if (entry.isFile() && key.startsWith(prefix)) files.push({ key, path: join(dir, entry.name) });
  }
  // Several stats at a time: one after another, each waited for, they cost about 40 us a file, a
  // quarter of a round once `log/` held a thousand segments (batched: 10-15 us; measured on 1,000).
  for (let i = 0; i < files.length; i += STAT_BATCH) {
    const stats = await Promise.all(files.slice(i, i + STAT_BATCH).map((f) => statUnlessGone(f.key, f.path)));
    stats.forEach((s, j) => {
      if (s) out.push({ key: files[i + j]!.key, size: s.size, modified: s.mtime });
    });
  }
}

const STAT_BATCH = 64;

async function statUnlessGone(key: string, path: string): Promise<Stats | undefined> {
  try {
    return await stat(path);
  } catch (e) {
    // Deleted since readdir (another node, a renamed temp): not there, so not listed.
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw fsError(e, `stat ${key}`);
  }
}
