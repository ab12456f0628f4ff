/**
 * Collection in a repository upgraded to format 3 (docs/PROTOCOL.md §3.7, §3.10). A repository
 * made as format 3 has only nodes that know collection: earlier releases refuse to join it. One
 * upgraded from format 2 may still have a node of an earlier release running, which would take
 * every collected segment for a lost one and upload it again. So collection there waits:
 * - a margin after the upgrade, so every node that follows upgrades (they look hourly) has seen it;
 * - and for good, with `CannotCollect`, while a writer that wrote since the upgrade has not said
 *   it follows upgrades (`ready/`): a machine running an earlier release is still writing.
 */
import { SyncError } from '../../model/sync-error.js';
import type { ObjectInfo, Storage } from '../../storage/contract.js';
import type { Author } from '../author-object.js';
import { listReady, listUpgrades, newestByWriter } from './upgrade-objects.js';

/** What holds collection back in an upgraded repository. */
export interface UpgradeHold {
  /** When the upgrade was stored, on the storage's clock (ms; the latest of its objects, one per repository id). */
  at: number;
  /** Writers whose nodes said they follow upgrades. */
  ready: ReadonlySet<string>;
  /** This node's own writer ids (they follow upgrades as it does). */
  own: ReadonlySet<string>;
  /** Names for writer ids, for the message. */
  authorOf?: (writer: string) => Author | undefined;
}

/** The hold for a repository upgraded to format 3 or later; none for one made as format 3. */
export async function upgradeHoldFor(storage: Storage, repoIds: ReadonlySet<string>, own: ReadonlySet<string>, authorOf?: UpgradeHold['authorOf']): Promise<UpgradeHold | undefined> {
  const upgrades = (await listUpgrades(storage, repoIds)).filter((u) => u.format >= 3);
  if (upgrades.length === 0) return undefined;
  // No time on an upgrade: never old enough (such a storage cannot collect anyway: no clock).
  const at = Math.max(...upgrades.map((u) => u.modified?.getTime() ?? Number.POSITIVE_INFINITY));
  return { at, ready: await listReady(storage), own, ...(authorOf ? { authorOf } : {}) };
}

/**
 * Whether the hold keeps this collection from deleting anything: a notice (the upgrade is younger
 * than the margin), or `CannotCollect` (a writer since the upgrade does not follow upgrades).
 */
export function heldBack(hold: UpgradeHold, storageNow: number, marginMs: number, listed: ObjectInfo[]): string | undefined {
  const unready = [...newestByWriter(listed)].filter(([w, last]) => !hold.ready.has(w) && !hold.own.has(w) && (last === undefined || last.getTime() >= hold.at)).map(([w]) => w);
  if (unready.length > 0) {
    const named = unready.slice(0, 5).map((w) => {
      const a = hold.authorOf?.(w);
      return a ? `${a.user} on ${a.machine} (${w})` : w;
    });
    throw new SyncError(
      'CannotCollect',
      `since the repository was upgraded to format 3, ${unready.length} writer(s) that do not follow upgrades wrote to it: ${named.join(', ')}${unready.length > 5 ? ', …' : ''}. A machine running an earlier syncacross would take every collected segment for a lost one and upload it again. Install this release there and sync once; nothing was changed`,
    );
  }
  const age = storageNow - hold.at;
  if (age >= marginMs) return undefined;
  const hours = (ms: number) => (ms < 7_200_000 ? `${Math.max(0, Math.round(ms / 60_000))} minutes` : `${Math.round(ms / 360_000) / 10} hours`);
  return `the repository was upgraded to format 3 ${hours(age)} ago; collection starts ${hours(marginMs)} after an upgrade, once every machine has followed it; nothing was deleted`;
}
