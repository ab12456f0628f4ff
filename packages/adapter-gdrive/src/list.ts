/**
 * list: one search per folder (the library folder and the relevant top-level folders, in
 * parallel; never an OR of parents, see DriveApi.searchChildren), complete or an error. An answer longer than a page is kept as a short-lived snapshot, and the cursor names it,
 * so later pages come from the same answer instead of a new (lagging) search.
 */
import { randomBytes } from 'node:crypto';
import { compareKeys, StorageError, type ListOptions, type ListPage, type ObjectInfo } from '@syncacross/sync-core';
import { remember, type GdriveContext } from './context.js';
import { FOLDER_MIME, type DriveFile } from './drive-api.js';
import { folderMayHold, keyOf, mergeFiles } from './mapping.js';

const SNAPSHOT_TTL_MS = 60_000;
const MAX_SNAPSHOTS = 16;

export async function list(ctx: GdriveContext, prefix: string, options: ListOptions = {}): Promise<ListPage> {
  let objects: ObjectInfo[] | undefined;
  let after = options.startAfter;
  let snapshotId: string | undefined;
  if (options.cursor) {
    const cursor = parseCursor(options.cursor);
    after = cursor.after;
    snapshotId = cursor.snapshot;
    const snap = ctx.snapshots.get(cursor.snapshot);
    if (snap && Date.now() - snap.at < SNAPSHOT_TTL_MS) objects = snap.objects;
  }
  objects ??= await scan(ctx, prefix);
  const remaining = after === undefined ? objects : objects.filter((o) => compareKeys(o.key, after) > 0);
  const size = Math.max(1, options.pageSize ?? 1000);
  const page = remaining.slice(0, size);
  if (remaining.length <= size) return { objects: page };
  if (!snapshotId || !ctx.snapshots.has(snapshotId)) {
    snapshotId = randomBytes(9).toString('base64url');
    ctx.snapshots.set(snapshotId, { objects, at: Date.now() });
    while (ctx.snapshots.size > MAX_SNAPSHOTS) ctx.snapshots.delete(ctx.snapshots.keys().next().value!);
  }
  return { objects: page, cursor: Buffer.from(JSON.stringify({ s: snapshotId, a: page[page.length - 1]!.key })).toString('base64url') };
}

/** Everything under `prefix`, sorted, each key once, learned ids cached. */
async function scan(ctx: GdriveContext, prefix: string): Promise<ObjectInfo[]> {
  const root = await ctx.folders.rootId();
  const known = ctx.folders.entries().filter(([name]) => folderMayHold(prefix, name));
  const searched = new Set([root, ...known.flatMap(([, list]) => list.map((f) => f.id))]);
  const files = await ctx.api.searchChildren([...searched], 'trashed = false');
  // The library folder's children tell us about top-level folders other writers created.
  const fresh: string[] = [];
  for (const f of files) {
    if (f.mimeType !== FOLDER_MIME || !f.parents.includes(root)) continue;
    ctx.folders.learn(f.name, [f]);
    if (folderMayHold(prefix, f.name) && !searched.has(f.id)) fresh.push(f.id);
  }
  // One by one, not push(...): a spread passes each file as an argument, past the stack's limit in a large folder.
  if (fresh.length > 0) for (const f of await ctx.api.searchChildren(fresh, 'trashed = false')) files.push(f);

  const byKey = new Map<string, DriveFile[]>();
  for (const f of files) {
    if (f.mimeType === FOLDER_MIME) continue;
    let key: string | undefined;
    if (f.parents.includes(root)) key = f.name.includes('/') ? undefined : f.name;
    else {
      const folder = f.parents.map((p) => ctx.folders.nameOf(p)).find((n) => n !== undefined);
      if (folder !== undefined) key = keyOf(folder, f.name);
    }
    if (key === undefined || !key.startsWith(prefix)) continue;
    const list = byKey.get(key) ?? [];
    list.push(f);
    byKey.set(key, list);
  }
  const objects: ObjectInfo[] = [];
  for (const [key, list] of byKey) {
    const sorted = mergeFiles(list);
    remember(ctx, key, sorted);
    const first = sorted[0]!;
    objects.push({ key, size: first.size, modified: first.modifiedTime ? new Date(first.modifiedTime) : undefined });
  }
  return objects.sort((a, b) => compareKeys(a.key, b.key));
}

function parseCursor(cursor: string): { snapshot: string; after: string } {
  try {
    const { s, a } = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { s?: unknown; a?: unknown };
    if (typeof s === 'string' && typeof a === 'string') return { snapshot: s, after: a };
  } catch {
    // fall through
  }
  throw new StorageError('InvalidConfig', 'gdrive: this listing cursor was not issued by the gdrive adapter');
}
