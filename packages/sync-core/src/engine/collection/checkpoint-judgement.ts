/**
 * What collection asks of a checkpoint (docs/PROTOCOL.md §3.10, §3.11): whether its pruning lets
 * it be relied on, and whether it makes an older one useless (it carries, and names superseded,
 * everything the older one does).
 */
import type { ObjectInfo, Storage } from '../../storage/contract.js';
import { listAll, objectExists } from '../../storage/listing.js';
import { PRUNED_HORIZON_MS } from '../../local/superseded-table.js';
import { hash16 } from '../merge.js';
import { prunedRightly } from '../retention/pruned-rightly.js';
import type { StorageClock } from './storage-clock.js';
import type { WholeCheckpoint } from './whole-checkpoint.js';

/** Allowed skew of a pruning checkpoint's time ahead of the storage's clock when it was stored. */
const AS_OF_SLACK_MS = 5 * 60_000;

/** Why a checkpoint's pruning disqualifies it (see `CollectionContext.retention`); undefined: it does not. */
export function prunedUnder(whole: WholeCheckpoint, inForce: string | null | undefined, info: ObjectInfo, clock: StorageClock): string | undefined {
  const r = whole.manifest.retention;
  if (!r) return undefined;
  if (inForce === undefined) return 'it prunes versions, and this repository is not of a format that prunes';
  if (r.setting !== inForce) return `it pruned under retention setting ${r.setting}, not the one in force (${inForce ?? 'none'})`;
  // Its time is the writer's: one ahead of the storage's would let `keepWithin` keep less than asked.
  const stored = info.modified?.getTime() ?? clock.storageNow;
  if (r.asOf > stored + AS_OF_SLACK_MS) return `it pruned as of ${new Date(r.asOf).toISOString()}, later than the storage's clock when it was stored`;
  return undefined;
}

/**
 * Whether `chosen` carries everything `older` does: its segments, its versions (or prunes them
 * rightly), and every location, but those into packs that are gone (`gone`: collected, §3.12, or
 * lost): a node forgets those, so a newer checkpoint never has them, and an older one kept for
 * them alone would keep for ever the versions it carries, and the packs those need.
 */
export async function carriesAllOf(chosen: WholeCheckpoint, older: WholeCheckpoint, gone: (pack: string) => Promise<boolean>): Promise<boolean> {
  if (![...older.bundled].every((s) => chosen.bundled.has(s))) return false;
  // A checkpoint that pruned is what shows the versions it left out were pruned rightly (§3.11):
  // the author of a collected segment holding one asks a listed checkpoint so before it takes the
  // segment for lost and sends it again (collected-elsewhere.ts). Only one pruning under the same
  // setting as of a time no earlier shows it too: pruning under one setting only grows with time.
  // (Simulation seed 18882: a checkpoint pruning as of a clock a day behind, written from a state
  // that had lost the version to the earlier pruning, took that one's place; the author then sent
  // the segment again, naming a pack collected since.)
  // One that names nothing superseded pruned nothing, and shows nothing (simulation seed 30793:
  // kept, it had nodes prune locally by it, each from its own state, into different names).
  const was = older.manifest.retention;
  const now = chosen.manifest.retention;
  if (was && older.superseded.size > 0 && (now?.setting !== was.setting || now.asOf < was.asOf)) return false;
  for (const [hash, v] of older.versions) if (!chosen.versions.has(hash) && !prunedRightly(chosen, { hash, path: v.path, hlc: v.hlc })) return false;
  const uncarried = new Set<string>();
  for (const c of older.located) if (!chosen.located.has(c)) for (const pack of older.packsOf.get(c) ?? []) uncarried.add(pack);
  for (const pack of uncarried) if (!(await gone(pack))) return false;
  return true;
}

/**
 * Whether `chosen` names superseded every version `older` names (§3.11): a superseded name is what
 * keeps a pruned version, or a kept one whose descendants were pruned, from being taken for a head
 * by a node that holds it, and a checkpoint is where nodes learn it. A checkpoint whose writer
 * pruned nothing (under a setting that keeps everything, one that cannot be read, or, in seed
 * 37053 of the collection campaign, one a stale read hid) names none, though that writer's state
 * lacks what an earlier pruning left out: deleting the checkpoints that named it would lose the
 * names for good (a node coming back holding a pruned version would take its segment for lost and
 * send it again). Names of versions the chosen one does not carry need only last the horizon
 * writers keep them for, counted from its time.
 */
export function namesAllOf(chosen: WholeCheckpoint, older: WholeCheckpoint, storageNow: number): boolean {
  const carried = new Set([...chosen.versions.keys()].map(hash16));
  const since = (chosen.manifest.retention?.asOf ?? storageNow) - PRUNED_HORIZON_MS;
  for (const [prefix, hlc] of older.superseded) if (!chosen.superseded.has(prefix) && (carried.has(prefix) || hlc >= since)) return false;
  return true;
}

/** Whether a pack is gone: not listed, and a read of it answers NotFound (a listing may drop or lag, §2). One listing, then a read per pack asked. */
export function packGone(storage: Storage): (pack: string) => Promise<boolean> {
  let listed: Promise<Set<string>> | undefined;
  const known = new Map<string, Promise<boolean>>();
  return (pack) => {
    listed ??= listAll(storage, 'packs/', { etags: false }).then((l) => new Set(l.map((o) => o.key)));
    if (!known.has(pack))
      known.set(
        pack,
        listed.then(async (l) => !l.has(pack) && !(await objectExists(storage, pack))),
      );
    return known.get(pack)!;
  };
}
