/**
 * Finds (and caches) the library folder and its top-level subfolders. Folder ids never change,
 * so they are cached for the life of the storage; same-named duplicates (two writers creating
 * `log` at once) are all kept, and files go to the oldest.
 */
import { StorageError } from '@syncacross/sync-core';
import { KeyedSingleFlight } from '@syncacross/sync-core/adapter-kit';
import { FOLDER_MIME, quote, type DriveApi, type DriveFile } from './drive-api.js';
import { mergeFiles } from './mapping.js';
import type { GdriveOptions } from './options.js';

/**
 * The files whose name is exactly `name`, oldest first. Drive's `name =` ignores case (rclone,
 * backend/drive/drive.go, re-checks it as well): without this, folders `Log` and `log` of two
 * keys' top-level segments would be read as one.
 */
export function named(name: string, files: DriveFile[]): DriveFile[] {
  return mergeFiles(files.filter((f) => f.name === name));
}

export class FolderIndex {
  private root?: Promise<string>;
  private readonly byName = new Map<string, DriveFile[]>();
  private readonly creating = new KeyedSingleFlight<DriveFile[]>();
  /** Folders Drive refused a create in because they hold its 500,000 items (put.ts). */
  private readonly full = new Set<string>();

  constructor(
    private readonly api: DriveApi,
    private readonly o: GdriveOptions,
  ) {}

  /** The library folder's real id (appDataFolder's alias is resolved, so `parents` can be matched). */
  rootId(): Promise<string> {
    this.root ??= this.resolveRoot().catch((e: unknown) => {
      this.root = undefined; // a transient failure must not stick
      throw e;
    });
    return this.root;
  }

  private async resolveRoot(): Promise<string> {
    if (this.o.folderId) return this.o.folderId;
    if (this.o.appDataFolder) {
      const meta = await this.api.metadata('appDataFolder');
      if (!meta) throw new StorageError('AuthFailed', 'gdrive: appDataFolder is not accessible (the token needs the drive.appdata scope)');
      return meta.id;
    }
    const name = this.o.folderName!;
    const q = `'root' in parents and name = ${quote(name)} and mimeType = '${FOLDER_MIME}' and trashed = false`;
    const found = named(name, await this.api.search(q));
    if (found[0]) return found[0].id;
    const created = await this.api.createFolder(name, 'root');
    // Another machine may have created it at the same moment: everyone settles on the oldest.
    return mergeFiles(named(name, await this.api.search(q)), [created])[0]!.id;
  }

  known(name: string): DriveFile[] | undefined {
    return this.byName.get(name);
  }

  entries(): [string, DriveFile[]][] {
    return [...this.byName];
  }

  learn(name: string, folders: DriveFile[]): void {
    if (folders.length > 0) this.byName.set(name, mergeFiles(this.byName.get(name) ?? [], folders));
  }

  nameOf(folderId: string): string | undefined {
    for (const [name, list] of this.byName) if (list.some((f) => f.id === folderId)) return name;
    return undefined;
  }

  /** The subfolders called `name` (cached, else one search); [] when there is none yet. */
  async lookup(name: string): Promise<DriveFile[]> {
    const cached = this.byName.get(name);
    if (cached) return cached;
    const root = await this.rootId();
    const found = await this.api.search(`${quote(root)} in parents and name = ${quote(name)} and mimeType = '${FOLDER_MIME}' and trashed = false`);
    this.learn(name, named(name, found));
    return this.byName.get(name) ?? [];
  }

  /** Remembers that `folderId` is full, so creates go to a same-named sibling. */
  markFull(folderId: string): void {
    this.full.add(folderId);
  }

  isFull(folderId: string): boolean {
    return this.full.has(folderId);
  }

  /**
   * Adds one more folder called `name` when every one of that name is full. Drive allows
   * same-named folders and every reader here reads them all as one (see mapping.ts), so the
   * layout needs no change for a top-level folder to pass Drive's 500,000 items: `log` simply
   * becomes several folders called `log`. Racing writers may each add one; that is harmless.
   */
  grow(name: string): Promise<DriveFile[]> {
    return this.creating.run(`grow:${name}`, async () => {
      const room = (this.byName.get(name) ?? []).filter((f) => !this.full.has(f.id));
      if (room.length > 0) return this.byName.get(name)!; // someone in this process grew it meanwhile
      const created = await this.api.createFolder(name, await this.rootId());
      this.learn(name, [created]);
      return this.byName.get(name)!;
    });
  }

  /** Like lookup, but creates the folder when missing (once per name, however many callers wait). */
  async ensure(name: string): Promise<DriveFile[]> {
    const existing = await this.lookup(name);
    if (existing.length > 0) return existing;
    return this.creating.run(name, async () => {
      const root = await this.rootId();
      const created = await this.api.createFolder(name, root);
      const raced = await this.api.search(`${quote(root)} in parents and name = ${quote(name)} and mimeType = '${FOLDER_MIME}' and trashed = false`);
      this.learn(name, mergeFiles(named(name, raced), [created]));
      return this.byName.get(name)!;
    });
  }
}
