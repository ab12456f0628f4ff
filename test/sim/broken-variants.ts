/**
 * Deliberately broken engines: each is a round policy (packages/sync-core/src/engine/round-policy.ts)
 * with one decision made wrong, so the checker-catches tests can prove the simulation's checker
 * notices. They live here, with the simulation: the engine itself has no way to be broken.
 */
import type { HashedVersion, Tree } from '@syncacross/sync-core';
import { HONEST_POLICY, type RoundPolicy } from '@syncacross/sync-core/testing';
import { keptByPolicy } from '../../packages/sync-core/src/model/retention.js';

export const BROKEN_VARIANTS = [
  'last-writer-wins-by-clock',
  'delete-on-missing-listing',
  'skip-restored-node-check',
  'ignore-lost-packs',
  'delete-all-heads',
  'delete-behind-links',
  'follow-links',
  'silent-unwritable-names',
  'case-twins-in-one-file',
  'checkpoint-heads-only',
  'checkpoint-heads-only-unchecked',
  'gc-uncovered',
  'gc-local-clock',
  'gc-no-margin',
  'pack-no-margin',
  'pack-ignores-condemnations',
  'repack-unpublished-copies',
  'prune-heads',
  'merge-ignores-superseded',
] as const;
export type BrokenVariant = (typeof BROKEN_VARIANTS)[number];

export function brokenPolicy(variant: BrokenVariant): RoundPolicy {
  switch (variant) {
    // Last writer wins by wall clock: ancestry ignored, no conflict copies.
    case 'last-writer-wins-by-clock':
      return { ...HONEST_POLICY, mergedTree: lastWriterWins };
    // "Not in the listing" taken as "deleted": forgets what a short listing did not show.
    case 'delete-on-missing-listing':
      return { ...HONEST_POLICY, afterListing: forgetUnlisted };
    // A restored or cloned node keeps writing under its old writer id.
    case 'skip-restored-node-check':
      return { ...HONEST_POLICY, foreignSegments: () => [] };
    // Packs the remote lost are never looked for: their locations stay, their content is never re-uploaded.
    case 'ignore-lost-packs':
      return { ...HONEST_POLICY, looksForLostPacks: () => false };
    // A local delete replaces every head of the path, also versions this disk never saw.
    case 'delete-all-heads':
      return { ...HONEST_POLICY, deleteParents: (recorded, filled, allHeads) => [...new Set([...HONEST_POLICY.deleteParents(recorded, filled, allHeads), ...allHeads().map((h) => h.hash)])] };
    // What a link hides is taken as gone: a folder replaced by a link is deleted on every node.
    case 'delete-behind-links':
      return { ...HONEST_POLICY, keepsUnseen: () => false };
    // The scan enters links: a link to a folder outside the library publishes what is there.
    case 'follow-links':
      return { ...HONEST_POLICY, followsLinks: () => true };
    // A name this disk cannot hold (a Mac writer's 300-byte name on Linux) is skipped without a word.
    case 'silent-unwritable-names':
      return { ...HONEST_POLICY, reportsPathErrors: () => false };
    // On a case-insensitive disk every spelling is written: `a.txt` and `A.txt` land in one file.
    case 'case-twins-in-one-file':
      return { ...HONEST_POLICY, keepsCaseTwinsApart: () => false };
    // Collection deletes every listed segment once some checkpoint is old enough, bundled or not.
    case 'gc-uncovered':
      return { ...HONEST_POLICY, segmentsToCollect: (listed) => listed };
    // Collection measures ages by this machine's clock (skewed by an hour or a day) and never refuses.
    case 'gc-local-clock':
      return { ...HONEST_POLICY, collectionClock: (_measured, localNow) => ({ storageNow: localNow, skewMs: 0 }) };
    // Collection keeps no margin: a checkpoint's segments go the moment it is written.
    case 'gc-no-margin':
      return { ...HONEST_POLICY, collectionMargin: () => 0 };
    // Pack collection (§3.12) deletes a condemned pack at its announcer's next collection, with no
    // margin: a writer that deduplicated against it before it learned of the announcement loses it.
    case 'pack-no-margin':
      return { ...HONEST_POLICY, packMargin: () => 0 };
    // Writers deduplicate against condemned packs, and publish what they deduplicated against one
    // before they learned of it as it is (no rescue): versions point into a pack about to go.
    case 'pack-ignores-condemnations':
      return { ...HONEST_POLICY, honoursCondemnations: () => false };
    // Repacking copies a pack's needed chunks but announces the pack condemned without saying
    // where they went: the repacker reads them back and deletes it, and nobody else can find them.
    case 'repack-unpublished-copies':
      return { ...HONEST_POLICY, publishesCopies: () => false };
    // Retention prunes what the policy does not keep, heads included: a conflict's other side, or a delete, goes.
    case 'prune-heads':
      return { ...HONEST_POLICY, pruneVersions: pruneHeadsToo };
    // The merge ignores versions named superseded: a kept old version whose descendants were pruned
    // is a head again, and a node back with a pruned version brings it back as a conflict copy.
    case 'merge-ignores-superseded':
      return { ...HONEST_POLICY, mergedTree: (versions) => HONEST_POLICY.mergedTree(versions, new Set()) };
    // A checkpoint prunes history on its own: it carries only the versions nothing else replaced.
    // Nodes reading back a few of its segments (spot-check.ts) refute it: the honest remedy works.
    case 'checkpoint-heads-only':
      return { ...HONEST_POLICY, checkpointVersions: headsOnly };
    // The same, and the node catching up from it takes it on trust (reads no segment back).
    case 'checkpoint-heads-only-unchecked':
      return { ...HONEST_POLICY, checkpointVersions: headsOnly, checksCheckpoints: () => false };
  }
}

const pruneHeadsToo: RoundPolicy['pruneVersions'] = (versions, known, policy, asOf) => {
  const honest = HONEST_POLICY.pruneVersions(versions, known, policy, asOf);
  // Heads not protected: of each path, only what the policy alone keeps stays (a conflict's older
  // head, a delete outside the policy's window, go).
  const byPath = new Map<string, HashedVersion[]>();
  for (const v of versions) byPath.set(v.path, [...(byPath.get(v.path) ?? []), v]);
  const keeps = new Set([...byPath.values()].flatMap((list) => [...keptByPolicy(list, policy, asOf)]));
  const kept = honest.kept.filter((v) => keeps.has(v.hash));
  const dropped = honest.kept.filter((v) => !keeps.has(v.hash));
  return { kept, pruned: [...honest.pruned, ...dropped], superseded: [...honest.superseded, ...dropped.map((v): [string, number] => [v.hash.slice(0, 16), v.hlc])] };
};

function headsOnly(versions: HashedVersion[]): HashedVersion[] {
  const replaced = new Set(versions.flatMap((v) => v.parents));
  return versions.filter((v) => !replaced.has(v.hash));
}

function lastWriterWins(versions: HashedVersion[]): Tree {
  const latest = new Map<string, HashedVersion>();
  for (const v of versions) {
    const cur = latest.get(v.path);
    if (!cur || v.hlc > cur.hlc || (v.hlc === cur.hlc && v.hash > cur.hash)) latest.set(v.path, v);
  }
  const tree: Tree = new Map();
  for (const [path, v] of latest) if (!v.deleted) tree.set(path, { path, version: v });
  return tree;
}

const forgetUnlisted: RoundPolicy['afterListing'] = (state, listing) => {
  const listed = new Set(listing.map((k) => k.key));
  const mine = state.journalKeys();
  const rows = state.db.prepare("SELECT key FROM segments WHERE state = 'applied'").all() as { key: string }[];
  for (const { key } of rows) {
    if (listed.has(key) || mine.has(key)) continue;
    state.db.prepare('DELETE FROM versions WHERE segment = ?').run(key);
    state.db.prepare('DELETE FROM segments WHERE key = ?').run(key);
  }
};
