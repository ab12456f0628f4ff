/**
 * `Library.unsyncedChanges()`: what the folder holds that the last sync did not take as it is now,
 * found as a sync's scan finds it (the same walk, exclude patterns and records) but from stats
 * alone: nothing is read, hashed or requested, and nothing of the user's is written (the walk
 * still removes a temporary file a killed sync left, as every scan does). `syncacross status` said
 * "pending 0 versions" of a folder full of edits, which reads as "all backed up"; it names them now.
 */
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import type { PathRules } from '../local/ignore-rules.js';
import { RecordedStats } from '../local/recorded-stats.js';
import { effectiveStat, isUnseen, walkLibrary } from '../local/scan.js';
import type { LocalState } from '../local/state.js';
import { unreadable } from './local-changes.js';
import { holdsBack, type DeletionGuard } from './held-deletions.js';
import type { SyncSummary } from './sync-summary.js';

/** Disk paths (as the file system spells them, `/`-separated; an empty folder ends with `/`). */
export interface UnsyncedChanges {
  /** On disk with no record: new since the last sync. */
  added: string[];
  /** Size or times differ from the record: changed since (or only touched: a sync then makes no version). */
  changed: string[];
  /** A record with nothing on disk: removed since. */
  removed: string[];
  /** What a sync would name as not synced, and why, in its words (a link, a name it cannot take, a folder it cannot read). */
  notSynced: SyncSummary['skipped'];
  /** So many removed at once that a sync would hold their deletions back (held-deletions.ts), unless their files were moved within the library. */
  deletionsHeld: boolean;
}

export async function unsyncedChanges(dir: string, state: Pick<LocalState, 'db'>, rules: PathRules, followLinks = false, guard?: DeletionGuard): Promise<UnsyncedChanges> {
  const records = new RecordedStats(state.db);
  // Every file's stat is compared after the walk: a record written just before its sync (racily clean) matches there too.
  const walk = await walkLibrary(dir, rules, undefined, followLinks);
  const changes: UnsyncedChanges = { added: [], changed: [], removed: [], notSynced: walk.skipped, deletionsHeld: false };
  for (const entry of walk.entries.values()) {
    const row = records.take(entry.diskPath);
    const list = row < 0 ? changes.added : entry.kind === 'file' && !records.matchesForReport(row, await effectiveStat(dir, entry)) ? changes.changed : undefined;
    // (A recorded folder is a folder still: the scan only refreshes its record; a database's stat is its WAL's too.)
    if (!list) continue;
    const unreadableWhy = entry.kind === 'file' ? whyNotReadable(join(dir, entry.diskPath)) : undefined;
    if (unreadableWhy) changes.notSynced.push({ path: entry.diskPath, reason: unreadableWhy });
    else list.push(entry.kind === 'dir' ? `${entry.diskPath}/` : entry.diskPath);
  }
  // Behind a link or an unreadable folder a file is unknown, not gone (as the scan's deletions).
  for (const path of records.left()) if (!isUnseen(walk, path)) changes.removed.push(path);
  for (const list of [changes.added, changes.changed, changes.removed]) list.sort();
  changes.deletionsHeld = holdsBack(guard, changes.removed.length, records.count);
  return changes;
}

/**
 * What a sync would say of a file it is to read but this account may not (mode 600, another's):
 * status listed such a file as "new" and the sync then named it as not synced. Asked of the
 * permissions alone (access(2)), nothing opened or read.
 */
function whyNotReadable(abs: string): string | undefined {
  try {
    accessSync(abs, constants.R_OK);
    return undefined;
  } catch (e) {
    return unreadable(e as NodeJS.ErrnoException).unstable;
  }
}
