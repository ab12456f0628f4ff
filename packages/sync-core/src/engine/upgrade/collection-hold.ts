/**
 * Collection in a repository upgraded to format 3 or 4 (docs/PROTOCOL.md §3.7, §3.10). A repository
 * made as format 3 or 4 has only nodes that know collection: earlier releases refuse to join it. One
 * upgraded from format 2 may still have a node of an earlier release running, which would take
 * every collected segment for a lost one and upload it again. So collection there waits:
 * - a margin after the upgrade, so every node that follows upgrades (they look hourly) has seen it;
 * - and for good, with `CannotCollect`, while a writer that wrote since the upgrade has not said
 *   it follows upgrades (`ready/`): a machine running an earlier release is still writing.
 */
import { SyncError } from '../../model/sync-error.js';
import type { ObjectInfo, Storage } from '../../storage/contract.js';
import { writerLabel, type Author } from '../author-object.js';
import { readMarker, type RepositoryFormat } from '../repository.js';
import { encodeUpgrade, listReady, listUpgrades, newestByWriter, upgradeKey, type ListedUpgrade } from './upgrade-objects.js';

/** What holds collection back in an upgraded repository. */
export interface UpgradeHold {
  /** When the upgrade was stored, on the storage's clock (ms; the latest of its objects, one per repository id). */
  at: number;
  /** The format the repository was upgraded to (the highest upgrade listed). */
  format: number;
  /** Writers whose nodes said they follow upgrades. */
  ready: ReadonlySet<string>;
  /** This node's own writer ids (they follow upgrades as it does). */
  own: ReadonlySet<string>;
  /** Names for writer ids, for the message. */
  authorOf?: (writer: string) => Author | undefined;
}

/**
 * The hold for a repository upgraded to format 3 or later; none for one made as the format this
 * node is at and never upgraded. An upgrade to this node's format that is no longer listed is
 * written again first, or a node joining would join as format
 * 2 and never learn what collection took (a whole-storage rollback cannot lose it alone: collection
 * comes a margin after it, so a copy from before it holds every segment too; an object deleted by
 * hand, or restored object by object, can). Written again, it holds collection back for another
 * margin, while every node follows again.
 */
export async function upgradeHoldFor(
  storage: Storage,
  repoIds: readonly string[],
  own: ReadonlySet<string>,
  now: number,
  current: RepositoryFormat,
  authorOf?: UpgradeHold['authorOf'],
): Promise<UpgradeHold | undefined> {
  const ids = new Set(repoIds);
  let upgrades = (await listUpgrades(storage, ids)).filter((u) => u.format >= 3);
  if (!upgrades.some((u) => u.format >= current)) {
    const { format } = await readMarker(storage, repoIds[0]!);
    if (format >= current) return undefined; // made as this format: every node of it knows collection
    // Again to the format this node is at (the one it went missing from), never further: a further
    // one is an upgrade, with its own checks. (Seed 2540 of the collection campaign: a rollback took
    // an upgrade from 3 to 4, and the other nodes stayed at 3 while the upgrader pruned.)
    for (const id of repoIds) await storage.putIfAbsent(upgradeKey(id, current), encodeUpgrade(id, current, format, now));
    upgrades = (await listUpgrades(storage, ids)).filter((u) => u.format >= 3);
  }
  return holdOf(storage, upgrades, current, own, authorOf);
}

async function holdOf(storage: Storage, upgrades: ListedUpgrade[], current: number, own: ReadonlySet<string>, authorOf?: UpgradeHold['authorOf']): Promise<UpgradeHold> {
  // Not listed yet, or no time on it: never old enough (a storage with no times cannot collect anyway).
  const at = upgrades.length === 0 ? Number.POSITIVE_INFINITY : Math.max(...upgrades.map((u) => u.modified?.getTime() ?? Number.POSITIVE_INFINITY));
  const format = Math.max(...upgrades.map((u) => u.format), current);
  return { at, format, ready: await listReady(storage), own, ...(authorOf ? { authorOf } : {}) };
}

/**
 * Whether the hold keeps this collection from deleting anything: a notice (the upgrade is younger
 * than the margin), or `CannotCollect` (a writer since the upgrade does not follow upgrades).
 */
export function heldBack(hold: UpgradeHold, storageNow: number, marginMs: number, listed: ObjectInfo[]): string | undefined {
  const unready = [...newestByWriter(listed)].filter(([w, last]) => !hold.ready.has(w) && !hold.own.has(w) && (last === undefined || last.getTime() >= hold.at)).map(([w]) => w);
  if (unready.length > 0) {
    const named = unready.slice(0, 5).map((w) => writerLabel(w, hold.authorOf?.(w)));
    throw new SyncError(
      'CannotCollect',
      `since the repository was upgraded to format ${hold.format}, ${unready.length} writer(s) that do not follow upgrades wrote to it: ${named.join(', ')}${unready.length > 5 ? ', …' : ''}. A machine running an earlier syncacross would take every collected segment for a lost one and upload it again. Install this release there and sync once; nothing was changed`,
    );
  }
  const age = storageNow - hold.at;
  if (age >= marginMs) return undefined;
  const hours = (ms: number) => (ms < 7_200_000 ? `${Math.max(0, Math.round(ms / 60_000))} minutes` : `${Math.round(ms / 360_000) / 10} hours`);
  return `the repository was upgraded to format ${hold.format} ${hours(age)} ago; collection starts ${hours(marginMs)} after an upgrade, once every machine has followed it; nothing was deleted`;
}
