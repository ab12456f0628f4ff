/**
 * The merge: a pure function of the *set* of known versions (so commutative, associative and
 * idempotent by construction). Per path:
 * - heads = versions no other known version of the path names as a parent (a version whose
 *   parent is unknown is simply a head, i.e. concurrent: it can never silently overwrite);
 * - one head: that is the state; several: a delete loses against any live head (add-wins),
 *   identical content is no conflict, the winner is max (hlc, hash), and every other distinct
 *   live content is materialized as a conflict copy whose name derives only from its version.
 * A name cannot be a file and a folder at once: the folder keeps the name (a `dir` head wins over
 * file heads of its path, and a file whose path has entries below it is displaced to a conflict
 * copy), so every node writes the same tree and none loops on EEXIST.
 */
import { compareRecency, contentId, type HashedVersion } from '../model/version.js';

/** One path of the merged tree: the version it shows. */
export interface TreeEntry {
  /** The path this entry has in the tree and on disk: for a conflict copy, the copy's own name. */
  path: string;
  /** The version the path shows (for a conflict copy, the head it keeps aside). */
  version: HashedVersion;
  /** For a conflict copy: the path it conflicts with. */
  conflictOf?: string;
  /**
   * The copy is the winner of `conflictOf`, moved aside because that name is a folder: resolving
   * it (deleting or editing the copy) deletes the file at `conflictOf`.
   */
  displaced?: true;
}

/** The merged tree, by path (`TreeEntry.path`): live entries only, conflict copies included; deletes do not appear. */
export type Tree = Map<string, TreeEntry>;

const NONE: ReadonlySet<string> = new Set();

/** The first 16 hex digits of a version hash: how a checkpoint names a version it knows to be replaced (docs/PROTOCOL.md §3.11). */
export const hash16 = (hash: string): string => hash.slice(0, 16);

/**
 * A retention policy prunes versions from checkpoints, and with them the parent links that showed
 * an older kept version replaced. `superseded` (hash16 prefixes, recorded from checkpoints) names
 * versions known to have a descendant: such a version is no head where a later version of its
 * path is known. "Later" keeps a point in time honest (the descendant may not exist yet there); a
 * descendant always has a later hlc than its ancestors (the clock never runs behind what a writer
 * has seen), and the head it leads to is never pruned.
 */
export function headsByPath(versions: Iterable<HashedVersion>, superseded: ReadonlySet<string> = NONE): Map<string, HashedVersion[]> {
  const byPath = new Map<string, HashedVersion[]>();
  for (const v of versions) {
    const list = byPath.get(v.path);
    if (list) list.push(v);
    else byPath.set(v.path, [v]);
  }
  // Most paths have one version, its own head: only paths with several are worked out (a library
  // of 100,000 files would otherwise cost a set entry per parent and a sort per path).
  for (const [path, list] of byPath) if (list.length > 1) byPath.set(path, headsOf(list, superseded));
  return byPath;
}

/** The heads among the versions of one path. Only versions of the same path replace each other. */
function headsOf(list: HashedVersion[], superseded: ReadonlySet<string>): HashedVersion[] {
  const replaced = new Set<string>();
  for (const v of list) for (const p of v.parents) replaced.add(p);
  const unique = new Map(list.map((v) => [v.hash, v]));
  const newest = superseded.size ? list.reduce((n, v) => Math.max(n, v.hlc), -Infinity) : -Infinity;
  const h = [...unique.values()].filter((v) => !replaced.has(v.hash) && !(v.hlc < newest && superseded.has(hash16(v.hash)))).sort(compareRecency);
  // A cycle cannot happen with hash-linked parents, but an empty head set would drop the path.
  return h.length ? h : [...unique.values()].sort(compareRecency).slice(-1);
}

/** What every conflict copy's name holds (conflictCopyName): a path without it is never one. */
export const CONFLICT_MARK = '.sync-conflict-';

export function conflictCopyName(path: string, v: HashedVersion): string {
  const slash = path.lastIndexOf('/');
  const dir = path.slice(0, slash + 1);
  const base = path.slice(slash + 1);
  const dot = base.lastIndexOf('.');
  const [stem, ext] = dot > 0 ? [base.slice(0, dot), base.slice(dot)] : [base, ''];
  const stamp = new Date(v.hlc).toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${dir}${stem}${CONFLICT_MARK}${stamp}-${v.hash.slice(0, 8)}${ext}`;
}

export interface PathState {
  winner?: HashedVersion;
  heads: HashedVersion[];
  conflicts: HashedVersion[];
}

export function resolvePath(heads: HashedVersion[]): PathState {
  const live = heads.filter((v) => !v.deleted);
  if (live.length === 0) return { heads, conflicts: [] };
  if (live.length === 1) return { winner: live[0], heads, conflicts: [] }; // no content to compare: most paths
  // Heads are sorted by recency; a folder keeps the name against files (see buildTree).
  const winner = live.findLast((v) => v.kind === 'dir') ?? live[live.length - 1]!;
  const seen = new Set([contentId(winner)]);
  const conflicts: HashedVersion[] = [];
  for (const v of [...live].reverse()) {
    const c = contentId(v);
    if (!seen.has(c)) {
      seen.add(c);
      conflicts.push(v);
    }
  }
  return { winner, heads, conflicts };
}

export function buildTree(versions: Iterable<HashedVersion>, superseded?: ReadonlySet<string>): Tree {
  const tree: Tree = new Map();
  const copies: TreeEntry[] = [];
  for (const [path, heads] of headsByPath(versions, superseded)) {
    const state = resolvePath(heads);
    if (state.winner) tree.set(path, { path, version: state.winner });
    for (const c of state.conflicts) copies.push({ path: conflictCopyName(path, c), version: c, conflictOf: path });
  }
  // A file at a name that is also a folder (something lies below it) gives way: the folder keeps
  // the name, the file becomes a conflict copy beside it. Copies are siblings of their path, so
  // moving one aside makes no new folder and one pass is enough.
  const folders = foldersOf([...tree.keys(), ...copies.map((c) => c.path)]);
  for (const [path, e] of tree) {
    if (e.version.kind === 'dir' || !folders.has(path)) continue;
    tree.delete(path);
    copies.push({ path: conflictCopyName(path, e.version), version: e.version, conflictOf: path, displaced: true });
  }
  // A real path (or folder) always beats a conflict copy that happens to share its name.
  for (const c of copies) if (!tree.has(c.path) && !folders.has(c.path)) tree.set(c.path, c);
  return tree;
}

/** Every proper ancestor folder of these paths. */
function foldersOf(paths: Iterable<string>): Set<string> {
  const out = new Set<string>();
  for (const p of paths) for (let i = p.indexOf('/'); i !== -1; i = p.indexOf('/', i + 1)) out.add(p.slice(0, i));
  return out;
}
