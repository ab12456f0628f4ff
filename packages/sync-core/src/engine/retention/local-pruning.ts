/**
 * Local state stays bounded under retention (docs/PROTOCOL.md §3.11): once this node has written
 * or read a checkpoint that pruned by a policy, it prunes its own `state.db` by the same policy,
 * as of the same time, with the same function (prune.ts), so it holds about what the checkpoint
 * holds. It keeps what only it can vouch for: versions not yet in a segment on the remote, and the
 * version each file on its disk was written from (or is about to be). Every chunk location stays
 * (checkpoint-pruning.ts says why). Every version it drops is recorded superseded first.
 *
 * The policy judges only versions in a segment, as the checkpoint judged only published ones:
 * a pending version may still be dropped before it goes out (its content in a pack collected
 * while this node was away, steps/rescue-condemned.ts; the staging limit, outbox/superseded.ts),
 * and the version after it then names its parent instead. Counted as a newer version, it would
 * have pruned that parent, which the policy keeps beside what stays (and the remote still holds):
 * `log` and `restore` here would miss it. Judged over fewer versions the policy keeps no less;
 * what a pending version makes prunable goes at the first pruning after it is published.
 */
import type { LocalState } from '../../local/state.js';
import { PRUNED_HORIZON_MS, SupersededTable, type AppliedRetention } from '../../local/superseded-table.js';
import type { HashedVersion } from '../../model/version.js';
import { pruneVersions } from './prune.js';

export type PruneState = Pick<LocalState, 'db' | 'journalKeys' | 'transaction'>;

/** What pruning this node's state dropped. */
export interface LocalPruning {
  versions: number;
}

/** The versions this node may drop whatever a policy says against them: see above. */
function heldHere(state: PruneState): Set<string> {
  const unsent = state.journalKeys(true);
  const held = new Set<string>();
  for (const r of state.db.prepare('SELECT hash, segment FROM versions').iterate() as Iterable<{ hash: string; segment: string | null }>)
    if (r.segment === null || unsent.has(r.segment)) held.add(r.hash);
  for (const r of state.db.prepare('SELECT version FROM local UNION SELECT version FROM planned_writes').iterate() as Iterable<{ version: string }>) held.add(r.version);
  return held;
}

/** Prunes this node's state by a retention applied as of `asOf`; records it as the one applied. */
export function pruneLocalState(state: PruneState, applied: AppliedRetention, prune: typeof pruneVersions = pruneVersions): LocalPruning {
  const table = new SupersededTable(state.db);
  const versions = (state.db.prepare('SELECT hash, json FROM versions WHERE segment IS NOT NULL').all() as { hash: string; json: string }[]).map((r): HashedVersion => ({
    ...JSON.parse(r.json),
    hash: r.hash,
  }));
  const pruning = prune(versions, table.prefixes(), applied.policy, applied.asOf);
  const held = heldHere(state);
  const dropped = pruning.pruned.filter((v) => !held.has(v.hash));
  state.transaction(() => {
    table.record(pruning.superseded);
    const delVersion = state.db.prepare('DELETE FROM versions WHERE hash = ?');
    for (const v of dropped) delVersion.run(v.hash);
    table.forgetOlderThan(applied.asOf - PRUNED_HORIZON_MS);
    // The latest time pruned as of is what this node's state now reflects (an earlier one after it drops nothing more).
    const last = table.lastApplied();
    if (!last || last.setting !== applied.setting || last.asOf <= applied.asOf) table.recordApplied(applied);
  });
  if (dropped.length > 0) compactIfMostlyFree(state.db);
  return { versions: dropped.length };
}

/**
 * SQLite keeps a file at its largest and reuses the pages it freed; after a first pruning of a long
 * history most of the file may be free. Rewritten then (VACUUM), so `state.db` shrinks with what it
 * holds. Best effort: not inside a transaction, and a reader in another process (`status` while a
 * sync runs) may keep it from happening this time.
 */
function compactIfMostlyFree(db: PruneState['db']): void {
  if (db.inTransaction) return;
  const pages = db.pragma('page_count', { simple: true }) as number;
  const free = db.pragma('freelist_count', { simple: true }) as number;
  if (pages < 256 || free * 2 < pages) return;
  try {
    db.exec('VACUUM');
  } catch {
    // busy: the pages are reused as the state grows again, and a later pruning tries again
  }
}

/**
 * After reading a checkpoint that pruned: this node prunes its own state the same way, unless it
 * already pruned as of a later time. Only the policy and time are taken from the checkpoint, and
 * the time no later than this machine's clock: a writer whose clock runs ahead would have every
 * node drop what `keepWithin` still keeps (what goes here is decided here, from what it holds).
 */
export function pruneAsCheckpointDid(state: PruneState, retention: AppliedRetention, now: number, prune: typeof pruneVersions = pruneVersions): LocalPruning | undefined {
  const asOf = Math.min(retention.asOf, now);
  const last = new SupersededTable(state.db).lastApplied();
  if (last && last.setting === retention.setting && last.asOf >= asOf) return undefined;
  return pruneLocalState(state, { ...retention, asOf }, prune);
}
