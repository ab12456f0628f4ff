/**
 * The emulator's state: Drive files with ids and parents. Names are NOT unique (two files with
 * one name may share a folder), exactly as on Drive. New files are visible by id at once but
 * appear in `files.list` searches only after `searchLagMs` (Drive's search index lags behind
 * writes by seconds to minutes).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Predicate } from './query.js';

export const FOLDER_MIME = 'application/vnd.google-apps.folder';

export type Space = 'drive' | 'appDataFolder';

export interface StoredFile {
  id: string;
  name: string;
  mimeType: string;
  parents: string[];
  space: Space;
  bytes?: Buffer;
  md5Checksum?: string;
  createdTime: string;
  modifiedTime: string;
  createdAtMs: number;
  trashed: boolean;
  /** Monotonic creation order, so equal timestamps still sort deterministically. */
  seq: number;
  /** Owned by another account: this user can neither delete nor trash it (real-world.ts). */
  ownedByOther: boolean;
}

export interface NewFile {
  name?: string;
  mimeType?: string;
  parents?: string[];
  bytes?: Buffer;
  ownedByOther?: boolean;
}

/** One entry of the change log (changes-api.ts): a file created, updated or removed. */
export interface ChangeEntry {
  fileId: string;
  space: Space;
  /** Deleted for good (a trashed file is a change with `removed: false`, as on Drive). */
  removed: boolean;
  time: string;
}

export class DriveStore {
  /** Every create, update and delete, in order; a page token is a position in it (changes-api.ts). */
  readonly changeLog: ChangeEntry[] = [];
  /**
   * Added to a position to make a change token; raised past every token issued so far by
   * DriveEmulator.expireChangeTokens, so those answer 400 and new ones never repeat them.
   */
  changeTokenBase = 0;
  /** Items a folder other than a root may hold (real-world.ts, maxChildrenPerFolder). */
  maxChildrenPerFolder = Infinity;
  readonly myDriveRootId: string;
  readonly appDataRootId: string;
  private readonly files = new Map<string, StoredFile>();
  /** parent id → child ids, so a search bounded to a few folders does not scan the whole drive. */
  private readonly children = new Map<string, Set<string>>();
  private seq = 0;

  constructor(
    private readonly now: () => number,
    public searchLagMs: number,
  ) {
    this.myDriveRootId = this.insertRoot('My Drive', 'drive');
    this.appDataRootId = this.insertRoot('appDataFolder', 'appDataFolder');
  }

  private insertRoot(name: string, space: Space): string {
    const root = this.make({ name, mimeType: FOLDER_MIME, parents: [] }, space);
    root.createdAtMs = -Infinity; // roots are always searchable
    this.files.set(root.id, root);
    return root.id;
  }

  /** `root` and `appDataFolder` are aliases Drive accepts wherever a file id goes. */
  resolveId(id: string): string {
    if (id === 'root') return this.myDriveRootId;
    if (id === 'appDataFolder') return this.appDataRootId;
    return id;
  }

  get(id: string): StoredFile | undefined {
    return this.files.get(this.resolveId(id));
  }

  private lastCreatedAt = -Infinity;

  private make(input: NewFile, space: Space): StoredFile {
    // Drive's createdTime has millisecond resolution; the emulator never hands out one instant
    // twice, so "oldest file wins" is decided the same way in every test run.
    const at = this.now();
    const stamp = Math.max(at, this.lastCreatedAt + 1);
    this.lastCreatedAt = stamp;
    const iso = new Date(stamp).toISOString();
    const isFolder = input.mimeType === FOLDER_MIME;
    const bytes = isFolder ? undefined : (input.bytes ?? Buffer.alloc(0));
    return {
      // Drive ids are opaque strings of 28-44 URL-safe characters.
      id: `1${randomBytes(24).toString('base64url')}`.slice(0, 33),
      name: input.name ?? 'Untitled',
      mimeType: input.mimeType ?? 'application/octet-stream',
      parents: input.parents ?? [],
      space,
      bytes,
      md5Checksum: bytes ? createHash('md5').update(bytes).digest('hex') : undefined,
      createdTime: iso,
      modifiedTime: iso,
      createdAtMs: at,
      trashed: false,
      seq: ++this.seq,
      ownedByOther: input.ownedByOther ?? false,
    };
  }

  /** Creates a file; throws `ParentNotFound` when a parent does not exist. */
  create(input: NewFile): StoredFile {
    const parents = (input.parents && input.parents.length > 0 ? input.parents : ['root']).map((p) => this.resolveId(p));
    for (const p of parents) {
      const parent = this.files.get(p);
      if (!parent || parent.mimeType !== FOLDER_MIME) throw new ParentNotFound(p);
      const isRoot = p === this.myDriveRootId || p === this.appDataRootId;
      if (!isRoot && (this.children.get(p)?.size ?? 0) >= this.maxChildrenPerFolder) throw new FolderFull(p);
    }
    const space = this.files.get(parents[0]!)!.space;
    const file = this.make({ ...input, parents }, space);
    this.files.set(file.id, file);
    this.logChange(file, false);
    for (const p of parents) {
      let set = this.children.get(p);
      if (!set) this.children.set(p, (set = new Set()));
      set.add(file.id);
    }
    return file;
  }

  /** Deletes a file permanently (and, like Drive, everything under a deleted folder). */
  delete(id: string): boolean {
    const file = this.get(id);
    if (!file || file.parents.length === 0) return false;
    this.files.delete(file.id);
    for (const p of file.parents) this.children.get(p)?.delete(file.id);
    this.logChange(file, true);
    if (file.mimeType === FOLDER_MIME) {
      for (const child of [...this.files.values()]) if (child.parents.includes(file.id)) this.delete(child.id);
    }
    return true;
  }

  /** Records that a file's metadata changed (files.update: trashed, renamed). */
  touch(file: StoredFile): void {
    file.modifiedTime = new Date(Math.max(this.now(), Date.parse(file.modifiedTime))).toISOString();
    this.logChange(file, false);
  }

  private logChange(file: StoredFile, removed: boolean): void {
    this.changeLog.push({ fileId: file.id, space: file.space, removed, time: new Date(this.now()).toISOString() });
  }

  /** Files matching a search, in Drive's default-ish order (creation order), lag applied. */
  search(predicate: Predicate, spaces: ReadonlySet<Space>, parentBound?: ReadonlySet<string>): StoredFile[] {
    const visibleBefore = this.now() - this.searchLagMs;
    const candidates = parentBound ? [...new Set([...parentBound].flatMap((p) => [...(this.children.get(this.resolveId(p)) ?? [])]))].map((id) => this.files.get(id)!) : [...this.files.values()];
    return candidates.filter((f) => f.parents.length > 0 && spaces.has(f.space) && f.createdAtMs <= visibleBefore && predicate(f)).sort((a, b) => a.seq - b.seq);
  }

  all(): StoredFile[] {
    return [...this.files.values()].filter((f) => f.parents.length > 0).sort((a, b) => a.seq - b.seq);
  }
}

export class FolderFull extends Error {
  constructor(readonly folderId: string) {
    super(`folder ${folderId} is full`);
  }
}

export class ParentNotFound extends Error {
  constructor(readonly parentId: string) {
    super(`File not found: ${parentId}.`);
  }
}

/** The JSON resource Drive returns for a file (sizes are int64 strings). */
export function fileResource(f: StoredFile): Record<string, unknown> {
  return {
    kind: 'drive#file',
    id: f.id,
    name: f.name,
    mimeType: f.mimeType,
    parents: f.parents,
    size: f.bytes ? String(f.bytes.byteLength) : undefined,
    md5Checksum: f.md5Checksum,
    createdTime: f.createdTime,
    modifiedTime: f.modifiedTime,
    trashed: f.trashed,
    spaces: [f.space],
  };
}
