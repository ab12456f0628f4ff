/**
 * What a restore writes: the entries of the tree at the moment asked for, below each requested
 * path, or a deleted path's last live version, and why a whole-library restore found nothing.
 */
import type { HashedVersion } from '../model/version.js';
import type { TreeEntry } from './merge.js';
import { deletedAt, isUnder as under, lastLiveBefore, treeAt, type PointInTime } from './point-in-time.js';

/** The entries to write: the tree at the moment under each requested path, or a deleted path's last live version. */
export function selectEntries(versions: HashedVersion[], at: PointInTime, paths: string[], superseded?: ReadonlySet<string>): { entries: TreeEntry[]; missing: string[]; undeleted: string[] } {
  const tree = treeAt(versions, at, superseded);
  const wanted = paths.length === 0 ? [''] : paths.map((p) => p.normalize('NFC').replace(/^\/+|\/+$/g, ''));
  const chosen = new Map<string, TreeEntry>();
  const missing: string[] = [];
  const undeleted: string[] = [];
  for (const prefix of wanted) {
    let found = false;
    for (const e of tree.values()) {
      if (!under(e.path, prefix)) continue;
      chosen.set(e.path, e);
      found = true;
    }
    if (found) continue;
    if (prefix === '') {
      missing.push(''); // the whole library: nothing was in it then (restoreEntries says when its history starts)
      continue;
    }
    // Deleted by then: bring back what the path last held (a folder: every file deleted under it).
    for (const path of deletedAt(versions, at, superseded).keys()) {
      if (!under(path, prefix)) continue;
      const live = lastLiveBefore(versions, path, at);
      if (!live) continue;
      chosen.set(path, { path, version: live });
      found = true;
    }
    if (found) undeleted.push(prefix);
    else missing.push(prefix);
  }
  // Folders before what lies in them; then by path, so a run is repeatable.
  const entries = [...chosen.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { entries, missing, undeleted };
}

/**
 * Why a restore of the whole library found nothing: "Restored 0 entries", exit 0, read as a restore
 * that worked, when it was asked for a moment before anything was synced (`--at "1 year ago"`),
 * or after everything had been deleted.
 */
export function nothingInLibrary(versions: HashedVersion[], at: PointInTime): string {
  const first = versions.reduce((t, v) => Math.min(t, v.hlc), Infinity);
  if (first === Infinity) return 'nothing is in the library: no version of any file is known';
  const when = new Date(at.time).toISOString();
  return first > at.time && !at.latest
    ? `nothing was in the library at ${when}: its history starts at ${new Date(first).toISOString()}`
    : `nothing was in the library at ${when}: everything in it had been deleted by then`;
}
