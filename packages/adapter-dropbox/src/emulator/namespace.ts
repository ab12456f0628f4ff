/**
 * One Dropbox namespace (a user's home, a team space): files and folders keyed by lower-cased
 * path, a change journal for list_folder cursors, and revs. A `View` maps the paths an app sees
 * onto the namespace (an app-folder app sees `/Apps/<app name>` as its root).
 */
import { randomBytes } from 'node:crypto';
import { dropboxContentHash } from '../content-hash.js';
import { isWithin, lower, nameOf, parentOf, segments } from './paths.js';

export interface FileNode {
  kind: 'file';
  display: string;
  id: string;
  bytes: Uint8Array;
  rev: string;
  contentHash: string;
  serverModified: string;
}
interface FolderNode {
  kind: 'folder';
  display: string;
  id: string;
}
export type Node = FileNode | FolderNode;

const timestamp = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
const newId = () => `id:${randomBytes(12).toString('base64url')}`;

export class Namespace {
  readonly nodes = new Map<string, Node>();
  /** Lower-cased paths in the order they changed; the index + 1 is the change's sequence number. */
  readonly journal: string[] = [];
  /** The rev a deleted file had, for non-strict `update` writes that revive it. */
  readonly deletedRevs = new Map<string, string>();
  private revCounter = 0;

  constructor(readonly id: string) {}

  get seq(): number {
    return this.journal.length;
  }

  get(path: string): Node | undefined {
    return this.nodes.get(lower(path));
  }

  /** The first ancestor of `path` that is a file, if any (a write below it is a conflict). */
  fileAncestor(path: string): FileNode | undefined {
    for (let p = parentOf(path); p !== ''; p = parentOf(p)) {
      const n = this.get(p);
      if (n?.kind === 'file') return n;
    }
    return undefined;
  }

  /** Creates missing parent folders, keeping the case of the ones that exist. */
  private ensureParents(path: string): string {
    let display = '';
    for (const name of segments(parentOf(path))) {
      const candidate = `${display}/${name}`;
      const existing = this.get(candidate);
      if (existing) {
        display = existing.display;
      } else {
        display = candidate;
        this.nodes.set(lower(candidate), { kind: 'folder', display, id: newId() });
        this.journal.push(lower(candidate));
      }
    }
    return `${display}/${nameOf(path)}`;
  }

  writeFile(path: string, bytes: Uint8Array): FileNode {
    const existing = this.get(path);
    const display = existing ? existing.display : this.ensureParents(path);
    const node: FileNode = {
      kind: 'file',
      display,
      id: existing?.id ?? newId(),
      bytes: Uint8Array.from(bytes),
      rev: `${(++this.revCounter).toString(16).padStart(9, '0')}${this.id}`,
      contentHash: dropboxContentHash(bytes),
      serverModified: timestamp(),
    };
    this.nodes.set(lower(path), node);
    this.deletedRevs.delete(lower(path));
    this.journal.push(lower(path));
    return node;
  }

  /** Deletes a file, or a folder with everything in it; returns the node that was there. */
  remove(path: string): Node | undefined {
    const key = lower(path);
    const node = this.nodes.get(key);
    if (!node) return undefined;
    for (const k of [...this.nodes.keys()]) {
      if (k === key || k.startsWith(`${key}/`)) {
        const n = this.nodes.get(k)!;
        if (n.kind === 'file') this.deletedRevs.set(k, n.rev);
        this.nodes.delete(k);
        this.journal.push(k);
      }
    }
    return node;
  }

  /** Nodes inside `folder` (lower-cased), sorted so that a folder comes before its contents. */
  list(folder: string, recursive: boolean): [string, Node][] {
    return [...this.nodes].filter(([k]) => k !== folder && isWithin(k, folder, recursive)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /** Paths inside `folder` that changed after sequence number `since`, each once, in change order. */
  changedSince(since: number, folder: string, recursive: boolean): string[] {
    const seen = new Set<string>();
    for (let i = since; i < this.journal.length; i++) {
      const k = this.journal[i]!;
      if (isWithin(k, folder, recursive)) {
        seen.delete(k);
        seen.add(k);
      }
    }
    return [...seen];
  }
}

/** What one app sees of a namespace: everything, or its app folder. */
export class View {
  constructor(
    readonly ns: Namespace,
    /** Display path of the app's root inside the namespace ('' for full access). */
    readonly root: string,
  ) {}

  inside(apiPath: string): string {
    return `${this.root}${apiPath}`;
  }

  /** The API path for an internal one, keeping the namespace's case for every component. */
  outside(internal: string): string {
    return internal.slice(this.root.length);
  }

  metadata(node: Node): Record<string, unknown> {
    const pathDisplay = this.outside(node.display);
    const common = { name: nameOf(node.display), path_lower: lower(pathDisplay), path_display: pathDisplay, id: node.id };
    if (node.kind === 'folder') return { '.tag': 'folder', ...common };
    return {
      '.tag': 'file',
      ...common,
      client_modified: node.serverModified,
      server_modified: node.serverModified,
      rev: node.rev,
      size: node.bytes.byteLength,
      is_downloadable: true,
      content_hash: node.contentHash,
    };
  }

  deleted(internalLower: string): Record<string, unknown> {
    const p = this.outside(internalLower);
    return { '.tag': 'deleted', name: nameOf(p), path_lower: p, path_display: p };
  }
}
