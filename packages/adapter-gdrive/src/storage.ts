/**
 * The Google Drive storage: the contract on top of a backend with no create-if-absent, no
 * compare-and-swap, duplicate names and lagging searches (see mapping.ts for the layout).
 *
 * - putIfAbsent is check-then-create (declared non-atomic): known id → `exists`; else a search
 *   by name; else create, then search again and, if a racing create of the same key is older,
 *   remove ours and answer `exists`. Calls on one key inside this process are serialized, which
 *   keeps one process from racing itself (it proves nothing across processes, and claims nothing).
 * - get reads by id (ids are cached from creates and listings; by-id reads do not lag).
 * - list is one search over the library folder and the relevant top-level folders, complete or
 *   an error; pages of the answer are served from a short-lived snapshot.
 */
import { randomBytes, createHash } from 'node:crypto';
import { compareKeys, StorageError, type ByteRange, type ListOptions, type ListPage, type ObjectInfo, type PutResult, type Storage, type StorageCapabilities } from '@syncacross/sync-core';
import { KeyedQueue } from '@syncacross/sync-core/adapter-kit';
import { FOLDER_MIME, quote, type DriveApi, type DriveFile } from './drive-api.js';
import { FolderIndex } from './folders.js';
import { folderMayHold, keyOf, logicalFile, mergeFiles, placeOf, sameContent } from './mapping.js';
import type { GdriveOptions } from './options.js';

const SNAPSHOT_TTL_MS = 60_000;
const MAX_SNAPSHOTS = 16;

/** The Drive storage, with the Drive API and folder index it uses (tests and tools look at them). */
export interface GdriveStorage extends Storage {
  readonly api: DriveApi;
  readonly folders: FolderIndex;
}

export function buildGdriveStorage(api: DriveApi, o: GdriveOptions): GdriveStorage {
  const name = `gdrive:${o.folderId ?? o.folderName ?? 'appDataFolder'}`;
  const capabilities: StorageCapabilities = {
    atomicCreate: false,
    compareAndSwap: false,
    rangedGet: true,
    consistentListing: false, // searches lag behind writes on Drive
    delete: true,
    maxObjectSize: 5 * 1024 ** 4, // Drive's 5 TB file limit (the engine's objects are far smaller)
    caseInsensitiveNames: false,
    sortedListing: true,
  };
  const folders = new FolderIndex(api, o);
  /** Known files per key, oldest first (from our creates and from listings). */
  const ids = new Map<string, DriveFile[]>();
  /** Calls on one key run one after another (see the module comment). */
  const keyQueue = new KeyedQueue();
  const snapshots = new Map<string, { objects: ObjectInfo[]; at: number }>();

  /**
   * Adds files to what we know of a key. Never forgets: a search that comes back empty may just
   * lag behind a create (ours included); only a delete or a by-id 404 removes a known file.
   */
  function remember(key: string, files: DriveFile[]): void {
    if (files.length > 0) ids.set(key, mergeFiles(ids.get(key) ?? [], files));
  }

  /** The folders a key's file may be in, or [] when its top-level folder does not exist. */
  async function parentsOf(key: string, create: boolean): Promise<DriveFile[] | string[]> {
    const { folder } = placeOf(key);
    if (folder === undefined) return [await folders.rootId()];
    return create ? folders.ensure(folder) : folders.lookup(folder);
  }

  /** A by-name search for a key's files. Lags behind recent creates, like every Drive search. */
  async function search(key: string, parents: (DriveFile | string)[]): Promise<DriveFile[]> {
    if (parents.length === 0) return [];
    const parentIds = parents.map((p) => (typeof p === 'string' ? p : p.id));
    const inParents = parentIds.map((id) => `${quote(id)} in parents`).join(' or ');
    const q = `name = ${quote(placeOf(key).name)} and mimeType != '${FOLDER_MIME}' and trashed = false and (${inParents})`;
    return mergeFiles(await api.search(q));
  }

  /** Cached files of a key that still exist, checked by id (no lag). */
  async function liveKnown(key: string): Promise<DriveFile[]> {
    const cached = ids.get(key) ?? [];
    for (const f of cached) {
      if (await api.metadata(f.id)) return cached.slice(cached.indexOf(f));
    }
    ids.delete(key);
    return [];
  }

  function putIfAbsent(key: string, bytes: Uint8Array): Promise<PutResult> {
    return keyQueue.run(key, async () => {
      if ((await liveKnown(key)).length > 0) return 'exists';
      const parents = await parentsOf(key, true);
      const found = await search(key, parents);
      if (found.length > 0) {
        remember(key, found);
        return 'exists';
      }
      const target = parents[0]!;
      const mine = await api.upload(placeOf(key).name, typeof target === 'string' ? target : target.id, bytes);
      // Another process may have created the same key meanwhile: the oldest file wins everywhere.
      // An older copy with our very bytes (a racer writing the same content, or a create that
      // Drive performed twice after a lost response) is the same logical object: still ours.
      const all = mergeFiles(await search(key, await parentsOf(key, false)), [mine]);
      const oldest = all[0]!;
      if (oldest.id === mine.id || sameContent(oldest, mine)) {
        remember(key, all);
        return 'created';
      }
      // Someone else's different bytes won. Best effort: a copy left behind is resolved on read.
      await api.remove(mine.id).catch(() => undefined);
      ids.set(key, all.filter((f) => f.id !== mine.id));
      return 'exists';
    });
  }

  async function get(key: string, options?: { range?: ByteRange }): Promise<Uint8Array> {
    const range = options?.range;
    for (let attempt = 0; ; attempt++) {
      const fromCache = ids.has(key);
      if (!fromCache) remember(key, await search(key, await parentsOf(key, false)));
      const files = ids.get(key) ?? []; // a create that finished meanwhile counts too
      if (files.length === 0) throw new StorageError('NotFound', `gdrive: ${key} not found`);
      try {
        const file = logicalFile(key, files);
        const bytes = await api.download(file.id, range);
        if (!range && file.md5Checksum && createHash('md5').update(bytes).digest('hex') !== file.md5Checksum) {
          throw new StorageError('Corrupt', `gdrive: ${key}: downloaded ${bytes.byteLength} bytes whose md5 differs from Drive's md5Checksum`);
        }
        return bytes;
      } catch (e) {
        // What we cached may be stale: a losing racer removed its copy, or the file was deleted
        // elsewhere. Ask Drive afresh once before answering NotFound or Corrupt.
        const code = (e as StorageError).code;
        if (attempt > 0 || !fromCache || (code !== 'NotFound' && code !== 'Corrupt')) throw e;
        ids.delete(key);
      }
    }
  }

  async function list(prefix: string, options: ListOptions = {}): Promise<ListPage> {
    let objects: ObjectInfo[] | undefined;
    let after = options.startAfter;
    let snapshotId: string | undefined;
    if (options.cursor) {
      const cursor = parseCursor(options.cursor);
      after = cursor.after;
      snapshotId = cursor.snapshot;
      const snap = snapshots.get(cursor.snapshot);
      if (snap && Date.now() - snap.at < SNAPSHOT_TTL_MS) objects = snap.objects;
    }
    objects ??= await scan(prefix);
    const remaining = after === undefined ? objects : objects.filter((o) => compareKeys(o.key, after) > 0);
    const size = Math.max(1, options.pageSize ?? 1000);
    const page = remaining.slice(0, size);
    if (remaining.length <= size) return { objects: page };
    if (!snapshotId || !snapshots.has(snapshotId)) {
      snapshotId = randomBytes(9).toString('base64url');
      snapshots.set(snapshotId, { objects, at: Date.now() });
      while (snapshots.size > MAX_SNAPSHOTS) snapshots.delete(snapshots.keys().next().value!);
    }
    return { objects: page, cursor: Buffer.from(JSON.stringify({ s: snapshotId, a: page[page.length - 1]!.key })).toString('base64url') };
  }

  /** Everything under `prefix`, sorted, each key once, learned ids cached. */
  async function scan(prefix: string): Promise<ObjectInfo[]> {
    const root = await folders.rootId();
    const known = folders.entries().filter(([name]) => folderMayHold(prefix, name));
    const searched = new Set([root, ...known.flatMap(([, list]) => list.map((f) => f.id))]);
    const files = await api.search(childrenQuery([...searched]));
    // The library folder's children tell us about top-level folders other writers created.
    const fresh: string[] = [];
    for (const f of files) {
      if (f.mimeType !== FOLDER_MIME || !f.parents.includes(root)) continue;
      folders.learn(f.name, [f]);
      if (folderMayHold(prefix, f.name) && !searched.has(f.id)) fresh.push(f.id);
    }
    if (fresh.length > 0) files.push(...(await api.search(childrenQuery(fresh))));

    const byKey = new Map<string, DriveFile[]>();
    for (const f of files) {
      if (f.mimeType === FOLDER_MIME) continue;
      let key: string | undefined;
      if (f.parents.includes(root)) key = f.name.includes('/') ? undefined : f.name;
      else {
        const folder = f.parents.map((p) => folders.nameOf(p)).find((n) => n !== undefined);
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
      remember(key, sorted);
      const first = sorted[0]!;
      objects.push({ key, size: first.size, modified: first.modifiedTime ? new Date(first.modifiedTime) : undefined });
    }
    return objects.sort((a, b) => compareKeys(a.key, b.key));
  }

  function remove(key: string): Promise<void> {
    return keyQueue.run(key, async () => {
      const files = mergeFiles(ids.get(key) ?? [], await search(key, await parentsOf(key, false)));
      for (const f of files) await api.remove(f.id);
      ids.delete(key);
    });
  }

  return { name, capabilities, api, folders, putIfAbsent, get, list, delete: remove };
}

function childrenQuery(parentIds: string[]): string {
  return `trashed = false and (${parentIds.map((id) => `${quote(id)} in parents`).join(' or ')})`;
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
