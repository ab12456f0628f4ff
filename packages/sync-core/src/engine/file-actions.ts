/**
 * What a round did to each path, in the words `sync -v` and `sync --dry-run` print: one
 * `FileAction` per path. A real round and a dry run name their actions through these same
 * functions, so what a dry run announces is comparable, path by path, with what the sync then does.
 */
import type { HashedVersion } from '../model/version.js';
import type { TreeEntry } from './merge.js';
import type { FileAction } from './sync-summary.js';

/** Pending versions (those the next commit publishes) as what they publish. */
export function publishedActions(versions: HashedVersion[]): FileAction[] {
  return versions.map((v) =>
    v.deleted ? { path: v.path, action: 'delete-remote', kind: v.kind, bytes: 0 } : { path: v.path, action: 'upload', change: v.parents.length > 0 ? 'changed' : 'new', kind: v.kind, bytes: v.size },
  );
}

/** A tree entry written into the folder; `replaced`: a file or folder it holds was there before. */
export function writtenAction(entry: TreeEntry, replaced: boolean): FileAction {
  const { kind, size } = entry.version;
  if (entry.conflictOf) return { path: entry.path, action: 'conflict-copy', kind, bytes: size };
  return { path: entry.path, action: 'download', change: replaced ? 'changed' : 'new', kind, bytes: size };
}

/** A file or folder the tree no longer has, moved to the library's trash. */
export function removedAction(treePath: string, had: HashedVersion | undefined): FileAction {
  return { path: treePath, action: 'delete-local', kind: had?.kind ?? 'file', bytes: 0 };
}
