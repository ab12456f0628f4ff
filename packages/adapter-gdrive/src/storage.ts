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

export class GdriveStorage implements Storage {
  readonly name: string;
  readonly capabilities: StorageCapabilities = {
    atomicCreate: false,
    compareAndSwap: false,
    rangedGet: true,
    consistentListing: false, // searches lag behind writes on Drive
    delete: true,
    maxObjectSize: 5 * 1024 ** 4, // Drive's 5 TB file limit (the engine's objects are far smaller)
    caseInsensitiveNames: false,
    sortedListing: true,
  };
  readonly folders: FolderIndex;
  /** Known files per key, oldest first (from our creates and from listings). */
  private readonly ids = new Map<string, DriveFile[]>();
  /** Calls on one key run one after another (see the module comment). */
  private readonly keyQueue = new KeyedQueue();
  private readonly snapshots = new Map<string, { objects: ObjectInfo[]; at: number }>();

  constructor(
    readonly api: DriveApi,
    o: GdriveOptions,
  ) {
    this.name = `gdrive:${o.folderId ?? o.folderName ?? 'appDataFolder'}`;
    this.folders = new FolderIndex(api, o);
  }

  /** Runs `fn` after every earlier call on the same key has settled. */
  private serialized<T>(key: string, fn: () => Promise<T>): Promise<T> {
    return this.keyQueue.run(key, fn);
  }

  /**
   * Adds files to what we know of a key. Never forgets: a search that comes back empty may just
   * lag behind a create (ours included); only a delete or a by-id 404 removes a known file.
   */
  private remember(key: string, files: DriveFile[]): void {
    if (files.length > 0) this.ids.set(key, mergeFiles(this.ids.get(key) ?? [], files));
  }

  /** The folders a key's file may be in, or [] when its top-level folder does not exist. */
  private async parentsOf(key: string, create: boolean): Promise<DriveFile[] | string[]> {
    const { folder } = placeOf(key);
    if (folder === undefined) return [await this.folders.rootId()];
    return create ? this.folders.ensure(folder) : this.folders.lookup(folder);
  }

  /** A by-name search for a key's files. Lags behind recent creates, like every Drive search. */
  private async search(key: string, parents: (DriveFile | string)[]): Promise<DriveFile[]> {
    if (parents.length === 0) return [];
    const ids = parents.map((p) => (typeof p === 'string' ? p : p.id));
    const inParents = ids.map((id) => `${quote(id)} in parents`).join(' or ');
    const q = `name = ${quote(placeOf(key).name)} and mimeType != '${FOLDER_MIME}' and trashed = false and (${inParents})`;
    return mergeFiles(await this.api.search(q));
  }

  /** Cached files of a key that still exist, checked by id (no lag). */
  private async liveKnown(key: string): Promise<DriveFile[]> {
    const cached = this.ids.get(key) ?? [];
    for (const f of cached) {
      if (await this.api.metadata(f.id)) return cached.slice(cached.indexOf(f));
    }
    this.ids.delete(key);
    return [];
  }

  putIfAbsent(key: string, bytes: Uint8Array): Promise<PutResult> {
    return this.serialized(key, async () => {
      if ((await this.liveKnown(key)).length > 0) return 'exists';
      const parents = await this.parentsOf(key, true);
      const found = await this.search(key, parents);
      if (found.length > 0) {
        this.remember(key, found);
        return 'exists';
      }
      const target = parents[0]!;
      const mine = await this.api.upload(placeOf(key).name, typeof target === 'string' ? target : target.id, bytes);
      // Another process may have created the same key meanwhile: the oldest file wins everywhere.
      // An older copy with our very bytes (a racer writing the same content, or a create that
      // Drive performed twice after a lost response) is the same logical object: still ours.
      const all = mergeFiles(await this.search(key, await this.parentsOf(key, false)), [mine]);
      const oldest = all[0]!;
      if (oldest.id === mine.id || sameContent(oldest, mine)) {
        this.remember(key, all);
        return 'created';
      }
      // Someone else's different bytes won. Best effort: a copy left behind is resolved on read.
      await this.api.remove(mine.id).catch(() => undefined);
      this.ids.set(key, all.filter((f) => f.id !== mine.id));
      return 'exists';
    });
  }

  async get(key: string, options?: { range?: ByteRange }): Promise<Uint8Array> {
    const range = options?.range;
    for (let attempt = 0; ; attempt++) {
      const fromCache = this.ids.has(key);
      if (!fromCache) this.remember(key, await this.search(key, await this.parentsOf(key, false)));
      const files = this.ids.get(key) ?? []; // a create that finished meanwhile counts too
      if (files.length === 0) throw new StorageError('NotFound', `gdrive: ${key} not found`);
      try {
        const file = logicalFile(key, files);
        const bytes = await this.api.download(file.id, range);
        if (!range && file.md5Checksum && createHash('md5').update(bytes).digest('hex') !== file.md5Checksum) {
          throw new StorageError('Corrupt', `gdrive: ${key}: downloaded ${bytes.byteLength} bytes whose md5 differs from Drive's md5Checksum`);
        }
        return bytes;
      } catch (e) {
        // What we cached may be stale: a losing racer removed its copy, or the file was deleted
        // elsewhere. Ask Drive afresh once before answering NotFound or Corrupt.
        const code = (e as StorageError).code;
        if (attempt > 0 || !fromCache || (code !== 'NotFound' && code !== 'Corrupt')) throw e;
        this.ids.delete(key);
      }
    }
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListPage> {
    let objects: ObjectInfo[] | undefined;
    let after = options.startAfter;
    let snapshotId: string | undefined;
    if (options.cursor) {
      const cursor = parseCursor(options.cursor);
      after = cursor.after;
      snapshotId = cursor.snapshot;
      const snap = this.snapshots.get(cursor.snapshot);
      if (snap && Date.now() - snap.at < SNAPSHOT_TTL_MS) objects = snap.objects;
    }
    objects ??= await this.scan(prefix);
    const remaining = after === undefined ? objects : objects.filter((o) => compareKeys(o.key, after) > 0);
    const size = Math.max(1, options.pageSize ?? 1000);
    const page = remaining.slice(0, size);
    if (remaining.length <= size) return { objects: page };
    if (!snapshotId || !this.snapshots.has(snapshotId)) {
      snapshotId = randomBytes(9).toString('base64url');
      this.snapshots.set(snapshotId, { objects, at: Date.now() });
      while (this.snapshots.size > MAX_SNAPSHOTS) this.snapshots.delete(this.snapshots.keys().next().value!);
    }
    return { objects: page, cursor: Buffer.from(JSON.stringify({ s: snapshotId, a: page[page.length - 1]!.key })).toString('base64url') };
  }

  /** Everything under `prefix`, sorted, each key once, learned ids cached. */
  private async scan(prefix: string): Promise<ObjectInfo[]> {
    const root = await this.folders.rootId();
    const known = this.folders.entries().filter(([name]) => folderMayHold(prefix, name));
    const searched = new Set([root, ...known.flatMap(([, list]) => list.map((f) => f.id))]);
    const files = await this.api.search(childrenQuery([...searched]));
    // The library folder's children tell us about top-level folders other writers created.
    const fresh: string[] = [];
    for (const f of files) {
      if (f.mimeType !== FOLDER_MIME || !f.parents.includes(root)) continue;
      this.folders.learn(f.name, [f]);
      if (folderMayHold(prefix, f.name) && !searched.has(f.id)) fresh.push(f.id);
    }
    if (fresh.length > 0) files.push(...(await this.api.search(childrenQuery(fresh))));

    const byKey = new Map<string, DriveFile[]>();
    for (const f of files) {
      if (f.mimeType === FOLDER_MIME) continue;
      let key: string | undefined;
      if (f.parents.includes(root)) key = f.name.includes('/') ? undefined : f.name;
      else {
        const folder = f.parents.map((p) => this.folders.nameOf(p)).find((n) => n !== undefined);
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
      this.remember(key, sorted);
      const first = sorted[0]!;
      objects.push({ key, size: first.size, modified: first.modifiedTime ? new Date(first.modifiedTime) : undefined });
    }
    return objects.sort((a, b) => compareKeys(a.key, b.key));
  }

  delete(key: string): Promise<void> {
    return this.serialized(key, async () => {
      const files = mergeFiles(this.ids.get(key) ?? [], await this.search(key, await this.parentsOf(key, false)));
      for (const f of files) await this.api.remove(f.id);
      this.ids.delete(key);
    });
  }
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
