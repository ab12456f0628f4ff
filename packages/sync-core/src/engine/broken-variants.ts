/**
 * Deliberately broken behaviours, enabled only by the simulation's checker tests to prove the
 * checker catches them. Never set in production: each one loses data.
 */
import type { LocalState } from '../local/state.js';
import { buildTree, type Tree } from './merge.js';
import type { SegmentKey } from './segment.js';
import type { HashedVersion } from '../model/version.js';

export type BrokenVariant = 'last-writer-wins-by-clock' | 'delete-on-missing-listing' | 'skip-restored-node-check' | 'ignore-lost-packs' | 'delete-all-heads';

/** Last writer wins by wall clock: ancestry ignored, no conflict copies. */
export function treeFor(versions: HashedVersion[], variant: BrokenVariant | undefined): Tree {
  if (variant !== 'last-writer-wins-by-clock') return buildTree(versions);
  const latest = new Map<string, HashedVersion>();
  for (const v of versions) {
    const cur = latest.get(v.path);
    if (!cur || v.hlc > cur.hlc || (v.hlc === cur.hlc && v.hash > cur.hash)) latest.set(v.path, v);
  }
  const tree: Tree = new Map();
  for (const [path, v] of latest) if (!v.deleted) tree.set(path, { path, version: v });
  return tree;
}

/** "Not in the listing" taken as "deleted": forgets what a short listing did not show. */
export function forgetUnlisted(state: LocalState, listing: SegmentKey[]): void {
  const listed = new Set(listing.map((k) => k.key));
  const mine = state.journalKeys();
  const rows = state.db.prepare("SELECT key FROM segments WHERE state = 'applied'").all() as { key: string }[];
  for (const { key } of rows) {
    if (listed.has(key) || mine.has(key)) continue;
    state.db.prepare('DELETE FROM versions WHERE segment = ?').run(key);
    state.db.prepare('DELETE FROM segments WHERE key = ?').run(key);
  }
}
