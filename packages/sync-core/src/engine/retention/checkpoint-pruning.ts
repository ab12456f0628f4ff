/**
 * What retention adds to a checkpoint (docs/PROTOCOL.md §3.11): the versions it names superseded.
 * Every chunk location stays, those only pruned versions use included: another node may have
 * made a version with the same content since, reusing the chunk without publishing its location
 * again, and the checkpointer may not know that version yet (seed 1375 of the collection
 * campaign lost a head's content so). Locations and packs go only with pack collection.
 */
import type { LocalState } from '../../local/state.js';
import { PRUNED_HORIZON_MS, SupersededTable, type SupersededEntry } from '../../local/superseded-table.js';
import { MAX_SUPERSEDED_PER_PART } from '../remote-limits.js';
import { hash16 } from '../merge.js';
import type { Pruning } from './prune.js';

/**
 * What the checkpoint names superseded: what it prunes now, the kept versions no kept version
 * names as a parent (always: without it they would be heads again), and what earlier pruning
 * recorded here, for the horizon. Kept versions' entries first, then the newest: if there are ever
 * more than the parts may carry, what is left out is the oldest pruned versions, which serve only
 * a node coming back from that long ago (it would bring a stale copy back as a conflict copy).
 */
export function supersededToName(state: Pick<LocalState, 'db'>, pruning: Pruning, asOf: number): SupersededEntry[] {
  const kept = new Set(pruning.kept.map((v) => hash16(v.hash)));
  const all = new Map<string, number>(new SupersededTable(state.db).all());
  for (const [prefix, hlc] of pruning.superseded) all.set(prefix, hlc);
  const entries = [...all].filter(([prefix, hlc]) => kept.has(prefix) || hlc >= asOf - PRUNED_HORIZON_MS);
  return entries.sort((a, b) => Number(kept.has(b[0])) - Number(kept.has(a[0])) || b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
}

/** Spreads the entries over the parts, as many as each may carry; returns how many did not fit. */
export function spreadSuperseded(parts: { superseded?: SupersededEntry[] }[], entries: SupersededEntry[]): number {
  let at = 0;
  for (const p of parts) {
    if (at >= entries.length) break;
    p.superseded = entries.slice(at, at + MAX_SUPERSEDED_PER_PART).sort((a, b) => (a[0] < b[0] ? -1 : 1));
    at += p.superseded.length;
  }
  return Math.max(0, entries.length - at);
}
