/**
 * The emulator's stateful model of one Graph drive: items with ids and parents, case-insensitive
 * unique names per folder, eTag/cTag versions, and a change sequence that feeds `/delta`.
 */
import { randomUUID } from 'node:crypto';
import { foldName } from './names.js';

export interface DriveItemState {
  id: string;
  name: string;
  parentId: string | undefined;
  isFolder: boolean;
  content: Uint8Array;
  /** Bumped on every change (content or metadata): the eTag. */
  version: number;
  /** Bumped on content changes only: the cTag. */
  contentVersion: number;
  created: Date;
  modified: Date;
  /** The drive's change sequence number of this item's last change (for delta). */
  seq: number;
  deleted: boolean;
  /** Folder path at the time of deletion, so delta on a subtree still reports the tombstone. */
  ancestorsAtDeletion?: string[];
}

export class DriveState {
  readonly items = new Map<string, DriveItemState>();
  private readonly children = new Map<string, Map<string, string>>();
  readonly rootId: string;
  private seq = 0;
  /** Delta tokens older than this answer 410 resyncRequired. */
  oldestValidDeltaSeq = 0;

  constructor(
    readonly id: string,
    readonly driveType: 'personal' | 'business' | 'documentLibrary',
    readonly siteId?: string,
  ) {
    this.rootId = this.newFolder('root', undefined).id;
  }

  /** Makes every delta token issued so far answer 410 resyncRequired. */
  expireDeltaTokens(): void {
    // A step of the sequence of its own, so a token issued just now (at the current number) expires too.
    this.oldestValidDeltaSeq = ++this.seq;
  }

  get currentSeq(): number {
    return this.seq;
  }

  get business(): boolean {
    return this.driveType !== 'personal';
  }

  private newFolder(name: string, parentId: string | undefined): DriveItemState {
    const item = this.insert(name, parentId, true, new Uint8Array(0));
    this.children.set(item.id, new Map());
    return item;
  }

  private insert(name: string, parentId: string | undefined, isFolder: boolean, content: Uint8Array): DriveItemState {
    const now = new Date();
    const item: DriveItemState = {
      id: randomUUID().replace(/-/g, '').toUpperCase(),
      name,
      parentId,
      isFolder,
      content,
      version: 1,
      contentVersion: 1,
      created: now,
      modified: now,
      seq: ++this.seq,
      deleted: false,
    };
    this.items.set(item.id, item);
    if (parentId !== undefined) this.children.get(parentId)!.set(foldName(name), item.id);
    return item;
  }

  childByName(folderId: string, name: string): DriveItemState | undefined {
    const id = this.children.get(folderId)?.get(foldName(name));
    return id === undefined ? undefined : this.items.get(id);
  }

  childrenOf(folderId: string): DriveItemState[] {
    const ids = this.children.get(folderId);
    if (!ids) return [];
    return [...ids.values()].map((id) => this.items.get(id)!);
  }

  live(id: string): DriveItemState | undefined {
    const item = this.items.get(id);
    return item && !item.deleted ? item : undefined;
  }

  ensureFolder(parentId: string, name: string): DriveItemState {
    return this.childByName(parentId, name) ?? this.newFolder(name, parentId);
  }

  createFile(parentId: string, name: string, content: Uint8Array): DriveItemState {
    return this.insert(name, parentId, false, Uint8Array.from(content));
  }

  replaceContent(item: DriveItemState, content: Uint8Array): void {
    item.content = Uint8Array.from(content);
    item.version++;
    item.contentVersion++;
    item.modified = new Date();
    item.seq = ++this.seq;
  }

  /** Renames and/or moves an item (its eTag changes, its cTag does not). */
  move(item: DriveItemState, parentId: string, name: string): void {
    this.children.get(item.parentId!)?.delete(foldName(item.name));
    item.parentId = parentId;
    item.name = name;
    this.children.get(parentId)!.set(foldName(name), item.id);
    item.version++;
    item.modified = new Date();
    item.seq = ++this.seq;
  }

  /** Deletes an item and its subtree (tombstones stay for delta). */
  remove(item: DriveItemState): void {
    if (item.isFolder) for (const child of this.childrenOf(item.id)) this.remove(child);
    item.ancestorsAtDeletion = this.ancestors(item.id);
    if (item.parentId !== undefined) this.children.get(item.parentId)?.delete(foldName(item.name));
    this.children.delete(item.id);
    item.deleted = true;
    item.seq = ++this.seq;
  }

  /** Ids of the item's ancestors, nearest first. */
  ancestors(id: string): string[] {
    const out: string[] = [];
    let cur = this.items.get(id)?.parentId;
    while (cur !== undefined) {
      out.push(cur);
      cur = this.items.get(cur)?.parentId;
    }
    return out;
  }

  /** Decoded path of a live item from the root (`Apps/syncacross`; '' for the root). */
  plainPathOf(id: string): string {
    const names: string[] = [];
    for (let cur = this.items.get(id); cur && cur.parentId !== undefined; cur = this.items.get(cur.parentId)) names.unshift(cur.name);
    return names.join('/');
  }

  /** `/drive/root:/a/b` style path of a live item's parent, as Graph reports in parentReference. */
  pathOf(id: string): string {
    const names: string[] = [];
    let cur = this.items.get(id);
    while (cur && cur.parentId !== undefined) {
      names.unshift(cur.name);
      cur = this.items.get(cur.parentId);
    }
    return `/drive/root:${names.length ? '/' + names.map(encodeURIComponent).join('/') : ''}`;
  }

  isInSubtree(item: DriveItemState, folderId: string): boolean {
    if (item.id === folderId) return true;
    const ancestors = item.deleted ? (item.ancestorsAtDeletion ?? []) : this.ancestors(item.id);
    return ancestors.includes(folderId);
  }
}
