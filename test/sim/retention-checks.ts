/**
 * Retention in the simulation (docs/PROTOCOL.md §3.11): what the checker demands of pruning.
 * - A version a node stops holding was pruned rightly there: it is named superseded, it is no
 *   head (some version any node ever held names it as a parent), a later version of its path is
 *   still held, and the policy the node last pruned by does not keep it. (Judged over more
 *   versions than the node pruned over, the policy keeps no less: a version it keeps there it
 *   keeps over any subset holding it, so a right prune is never flagged.) So a version inside
 *   retention, and every head (a delete among them), is never dropped.
 * - At quiescence no node shows a version any checkpoint on the storage names superseded: a node
 *   that came back holding a pruned version took it for replaced, not for a concurrent edit, so
 *   no stale content (and no deleted file) came back.
 */
import type { Library } from '@syncacross/sync-core';
import type { RepositoryCodec } from '../../packages/sync-core/src/codec/repository-codec.js';
import { decodeManifest, decodePart } from '../../packages/sync-core/src/engine/checkpoints/objects.js';
import { parseManifestKey } from '../../packages/sync-core/src/engine/checkpoints/format.js';
import { hash16 } from '../../packages/sync-core/src/engine/merge.js';
import { SupersededTable, supersededOf, type AppliedRetention } from '../../packages/sync-core/src/local/superseded-table.js';
import { keptByPolicy } from '../../packages/sync-core/src/model/retention.js';
import type { HashedVersion } from '../../packages/sync-core/src/model/version.js';

/** What a node held at the end of a step. */
export interface Held {
  versions: Map<string, HashedVersion>;
  superseded: Set<string>;
}

export const heldBy = (lib: Library): Held => ({ versions: new Map(lib.state.allVersions().map((v) => [v.hash, v])), superseded: supersededOf(lib.state) });

/** Adds the retention a node last pruned by to those seen of it (a drop is judged by any of them: a later policy may keep what an earlier one pruned). */
export function noteApplied(lib: Library, seen: AppliedRetention[]): void {
  const a = new SupersededTable(lib.state.db).lastApplied();
  const last = seen.at(-1);
  if (a && (!last || last.setting !== a.setting || last.asOf !== a.asOf)) seen.push(a);
}

/** Of the versions `before` held that `now` does not, those not pruned rightly (see above), described. */
export function wronglyDropped(before: Held, now: Held, appliedSeen: readonly AppliedRetention[], everSeen: ReadonlyMap<string, HashedVersion>): string[] {
  const dropped = [...before.versions.keys()].filter((h) => !now.versions.has(h));
  if (dropped.length === 0) return [];
  const applied = appliedSeen.at(-1);
  const all = new Map([...before.versions, ...now.versions]);
  // A head by the ground truth: no version any node ever held names it as a parent (superseded
  // names are not asked: a broken pruner writes its own).
  const named = new Set([...everSeen.values(), ...all.values()].flatMap((v) => v.parents.map((p) => `${v.path}\u0000${p}`)));
  const heads = new Set([...all.values()].filter((v) => !named.has(`${v.path}\u0000${v.hash}`)).map((v) => v.hash));
  const out: string[] = [];
  for (const h of dropped) {
    const v = before.versions.get(h)!;
    const why = !applied
      ? 'no retention was applied there'
      : !now.superseded.has(hash16(h))
        ? 'it is not named superseded'
        : heads.has(h)
          ? 'it is a head'
          : ![...now.versions.values()].some((o) => o.path === v.path && o.hlc > v.hlc)
            ? 'no later version of its path is held'
            : appliedSeen.every((a) =>
                  keptByPolicy(
                    [...all.values()].filter((o) => o.path === v.path),
                    a.policy,
                    a.asOf,
                  ).has(h),
                )
              ? `the policy it pruned by keeps it (${JSON.stringify(applied.policy)} as of ${new Date(applied.asOf).toISOString()})`
              : undefined;
    if (why) out.push(`${v.path}@${h.slice(0, 8)}: ${why}`);
  }
  return out;
}

/** Whether a node's dropping `hash` (of `path`) is excused: named superseded there and a later version of the path held (for the acknowledged-edit check). */
export function prunedAt(lib: Library, version: Pick<HashedVersion, 'hash' | 'path' | 'hlc'>): boolean {
  return supersededOf(lib.state).has(hash16(version.hash)) && lib.state.versionsOf(version.path).some((o) => o.hlc > version.hlc);
}

/** Every version some readable checkpoint on the storage names superseded (hash16). */
function supersededOnStorage(raw: Map<string, Uint8Array>, repoIds: string[], codec: RepositoryCodec): Set<string> {
  const out = new Set<string>();
  const ids = new Set(repoIds);
  for (const [key, bytes] of raw) {
    const k = parseManifestKey(key);
    if (!k) continue;
    try {
      const m = decodeManifest(k, bytes, ids, codec);
      m.parts.forEach((p, i) => {
        const b = raw.get(p.key);
        if (b) for (const [prefix] of decodePart(m, i, b, ids, codec).superseded ?? []) out.add(prefix);
      });
    } catch {
      // unreadable: it names nothing
    }
  }
  return out;
}

/** At quiescence: no tree shows a version named superseded on the storage (a pruned or replaced version come back). */
export function checkNothingStale(libs: Map<string, Library>, raw: Map<string, Uint8Array>, repoIds: string[], codec: RepositoryCodec): string[] {
  const named = supersededOnStorage(raw, repoIds, codec);
  if (named.size === 0) return [];
  const problems: string[] = [];
  for (const [name, lib] of libs)
    for (const e of lib.tree().values())
      if (named.has(hash16(e.version.hash))) problems.push(`${name} shows ${e.path} from version ${e.version.hash.slice(0, 8)}, which a checkpoint names superseded (pruned or replaced)`);
  return problems;
}
