/**
 * What a checkpoint of a format-4 repository carries under a retention policy (docs/PROTOCOL.md
 * §3.11). Per path, of the versions its covered segments taught:
 * - every head is kept (a delete included: pruning never brings a deleted file back), and so every
 *   version a conflict copy shows;
 * - the policy keeps what it keeps (model/retention.ts), as of the checkpoint's time;
 * - the rest is pruned.
 * A kept version whose every child was pruned would look like a head to a reader (nothing left
 * names it as a parent), so the checkpoint names it superseded, and names every pruned version
 * too, for a node that comes back still holding one (merge.ts: `headsByPath`).
 */
import type { SupersededEntry } from '../../local/superseded-table.js';
import { keptByPolicy, keepsEverything, type RetentionPolicy } from '../../model/retention.js';
import type { HashedVersion } from '../../model/version.js';
import { hash16, headsByPath } from '../merge.js';

export interface Pruning {
  /** What the checkpoint carries. */
  kept: HashedVersion[];
  /** What it leaves out. */
  pruned: HashedVersion[];
  /** Versions it names superseded that these versions show (pruned ones, and kept ones no kept version names as a parent). */
  superseded: SupersededEntry[];
}

/** `known`: prefixes already recorded superseded here (so an old kept version stays no head). */
export function pruneVersions(versions: HashedVersion[], known: ReadonlySet<string>, policy: RetentionPolicy, asOf: number): Pruning {
  if (keepsEverything(policy)) return { kept: versions, pruned: [], superseded: [] };
  const heads = new Set([...headsByPath(versions, known).values()].flat().map((v) => v.hash));
  const byPath = new Map<string, HashedVersion[]>();
  for (const v of versions) (byPath.get(v.path) ?? byPath.set(v.path, []).get(v.path)!).push(v);
  const out: Pruning = { kept: [], pruned: [], superseded: [] };
  for (const list of byPath.values()) {
    const policyKeeps = keptByPolicy(list, policy, asOf);
    const kept = list.filter((v) => heads.has(v.hash) || policyKeeps.has(v.hash));
    const named = new Set(kept.flatMap((v) => v.parents));
    for (const v of list) {
      if (heads.has(v.hash)) continue;
      if (!policyKeeps.has(v.hash)) {
        out.pruned.push(v);
        out.superseded.push([hash16(v.hash), v.hlc]);
      } else if (!named.has(v.hash)) out.superseded.push([hash16(v.hash), v.hlc]);
    }
    out.kept.push(...kept);
  }
  return out;
}
