/**
 * Listing a folder cheaply and correctly. The first listing of a folder is a recursive
 * list_folder (2,000 entries a request) plus list_folder/continue until `has_more` is false; its
 * final cursor is kept. Every later listing asks list_folder/continue with that cursor, which
 * answers only what changed since (files as metadata, removals as `deleted`): a no-op listing is
 * one small request, and the answer is still the server's current state, never a guess. A cursor
 * Dropbox invalidated answers 409 `reset` (ListFolderContinueError.reset): we list afresh.
 * A listing that fails half-way throws; nothing partial is ever returned or kept as complete.
 */
import type { ObjectInfo } from '@syncacross/sync-core';
import { KeyedQueue } from '@syncacross/sync-core/adapter-kit';
import { decodeKey, decodeName } from './names.js';
import { routeTags } from './errors.js';

export interface ListFolderResult {
  entries: Array<Record<string, unknown>>;
  cursor: string;
  has_more: boolean;
}

export interface ListingCalls {
  listFolder(path: string): Promise<ListFolderResult>;
  listFolderContinue(cursor: string): Promise<ListFolderResult>;
}

interface Snapshot {
  cursor: string;
  /** By path_lower. */
  files: Map<string, ObjectInfo>;
}

export class FolderSnapshots {
  private readonly snapshots = new Map<string, Snapshot>();
  private readonly syncs = new KeyedQueue();

  constructor(
    private readonly calls: ListingCalls,
    /** How many leading path segments are the configured root (stripped to get keys). */
    private readonly rootDepth: number,
    private readonly maxFolders = 32,
  ) {}

  /** The files under `folder` (a Dropbox path, '' for the root) as they are now, by key. */
  async files(folder: string): Promise<ObjectInfo[]> {
    // One sync per folder at a time: two interleaved continues could apply an older answer last.
    return this.syncs.run(folder, () => this.sync(folder));
  }

  private async sync(folder: string): Promise<ObjectInfo[]> {
    let snapshot = this.snapshots.get(folder);
    if (snapshot) {
      try {
        snapshot.cursor = await this.drain(await this.calls.listFolderContinue(snapshot.cursor), snapshot.files);
      } catch (e) {
        this.snapshots.delete(folder);
        const tags = routeTags(e);
        if (tags[0] === 'reset') return this.sync(folder);
        if (tags[0] === 'path' && (tags[1] === 'not_found' || tags[1] === 'not_folder')) return [];
        throw e;
      }
      this.touch(folder, snapshot);
    } else {
      let first: ListFolderResult;
      try {
        first = await this.calls.listFolder(folder);
      } catch (e) {
        const tags = routeTags(e);
        // No such folder (yet): nothing is stored under it. Not cached, so a later create shows.
        if (tags[0] === 'path' && (tags[1] === 'not_found' || tags[1] === 'not_folder')) return [];
        throw e;
      }
      const files = new Map<string, ObjectInfo>();
      snapshot = { cursor: await this.drain(first, files), files };
      this.touch(folder, snapshot);
    }
    return [...snapshot.files.values()];
  }

  private touch(folder: string, snapshot: Snapshot): void {
    this.snapshots.delete(folder);
    this.snapshots.set(folder, snapshot);
    while (this.snapshots.size > this.maxFolders) this.snapshots.delete(this.snapshots.keys().next().value!);
  }

  /** Applies a result and its continuation pages; returns the final cursor. */
  private async drain(result: ListFolderResult, files: Map<string, ObjectInfo>): Promise<string> {
    for (;;) {
      for (const entry of result.entries) this.apply(entry, files);
      if (!result.has_more) return result.cursor;
      result = await this.calls.listFolderContinue(result.cursor);
    }
  }

  private apply(entry: Record<string, unknown>, files: Map<string, ObjectInfo>): void {
    const pathLower = String(entry.path_lower ?? '');
    if (entry['.tag'] === 'deleted') {
      files.delete(pathLower);
      for (const k of files.keys()) if (k.startsWith(`${pathLower}/`)) files.delete(k);
      return;
    }
    if (entry['.tag'] !== 'file') return;
    const key = this.keyOf(pathLower, String(entry.name ?? ''));
    if (key === undefined) return; // not written by us (a foreign file in the folder)
    files.set(pathLower, {
      key,
      size: Number(entry.size),
      etag: String(entry.rev),
      modified: new Date(String(entry.server_modified)),
    });
  }

  private keyOf(pathLower: string, name: string): string | undefined {
    // `name` keeps the real case: a foreign "Format" must not pass for our "format".
    if (decodeName(name) === undefined) return undefined;
    const relative = pathLower
      .split('/')
      .slice(this.rootDepth + 1)
      .join('/');
    return relative === '' ? undefined : decodeKey(relative);
  }
}
