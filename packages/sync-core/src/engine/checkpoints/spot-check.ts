/**
 * A checkpoint is trusted like any writer, with one difference: a segment can add versions but
 * never hide another writer's, while a checkpoint could leave a bundled segment's versions out
 * (a bug, or a writer with the repository's key acting in bad faith), and the node catching up
 * from it would never know. So once the segments after the checkpoint are applied too, the node
 * checks it two ways: every parent its versions name must be known (or named pruned), and
 * a few bundled segments are read back (chosen from its own writer id, so different nodes check
 * different ones): a version one of them carries must be known. Either failing refutes the
 * checkpoint: its segments are read one by one, in the same round, as if it had never been read.
 * This bounds what a checkpoint can hide unnoticed (docs/PROTOCOL.md §3.9); a head that names no
 * parent and sits in a segment not read back can still hide.
 */
import { createHash } from 'node:crypto';
import type { RepositoryCodec } from '../../codec/repository-codec.js';
import type { LocalState } from '../../local/state.js';
import type { Storage } from '../../storage/contract.js';
import { fetchSegments, type ListedSegment } from '../ingest.js';
import type { StepReport } from '../sync-summary.js';
import type { CaughtUp } from './read.js';
import { supersededOf } from '../../local/superseded-table.js';
import type { HashedVersion } from '../../model/version.js';
import { hash16 } from '../merge.js';
import { segmentRuns } from '../../local/segment-runs.js';

/** Bundled segments read back per catch-up. */
const SPOT_CHECKS = 3;

export interface SpotCheck {
  storage: Storage;
  codec: RepositoryCodec;
  state: Pick<LocalState, 'db' | 'version' | 'versionsOf' | 'transaction' | 'round'>;
  signal?: AbortSignal;
}

/** Why the checkpoint applied as `applied` cannot be trusted, or undefined. */
async function refutation(c: SpotCheck, { applied, parents, key: checkpoint }: CaughtUp, listing: ListedSegment[], repoIds: string[]): Promise<string | undefined> {
  const listed = new Map(listing.map((k) => [k.key, k]));
  const rank = (key: string) =>
    createHash('sha256')
      .update(`${c.state.round.get('writer')} ${checkpoint} ${key}`)
      .digest('hex');
  const picks = applied
    .filter((k) => listed.has(k))
    .map((k) => ({ k, r: rank(k) }))
    .sort((a, b) => (a.r < b.r ? -1 : 1))
    .slice(0, SPOT_CHECKS)
    .map(({ k }) => listed.get(k)!);
  // Every version names the versions it replaced (§3.9): a parent still unknown once the segments
  // after the checkpoint are applied too was left out of it, unless it was pruned, and then the
  // checkpoint names it superseded (§3.11).
  const superseded = supersededOf(c.state);
  for (const p of parents) if (!c.state.version(p) && !superseded.has(hash16(p))) return `a version it carries names ${p.slice(0, 12)} as its parent, which it leaves out`;
  if (picks.length === 0) return undefined;
  const outcome = await fetchSegments(c.storage, picks, repoIds, c.codec, 1, c.signal);
  // A bundled segment this node refuses: the checkpointer applied what no honest node would.
  if (outcome.corrupt.length > 0) return `it bundles ${outcome.corrupt[0]!.key}, which is refused here (${outcome.corrupt[0]!.reason})`;
  for (const f of outcome.fetched) {
    const left = f.versions.find((v) => !c.state.version(v.hash) && !prunedHere(c.state, superseded, v));
    if (left) return `it leaves out version ${left.hash.slice(0, 12)} of ${JSON.stringify(left.path)}, which ${f.key.key} carries`;
  }
  return undefined; // a pick that cannot be read yet proves nothing either way
}

/** A version the checkpoint pruned, as far as this node can tell: named superseded, and a later version of its path is known (the head it led to is never pruned). */
function prunedHere(state: Pick<LocalState, 'versionsOf'>, superseded: ReadonlySet<string>, v: HashedVersion): boolean {
  return superseded.has(hash16(v.hash)) && state.versionsOf(v.path).some((o) => o.hlc > v.hlc);
}

/**
 * Reads back a few segments of the checkpoint just applied. Returns whether it stands; when it
 * does not, its segments become unknown again (their versions, all real, stay), for the caller
 * to read one by one, and the round notes why.
 */
export async function confirmCheckpoint(c: SpotCheck, caught: CaughtUp, listing: ListedSegment[], repoIds: string[], report: StepReport, readBack = true): Promise<boolean> {
  const refuted = readBack ? await refutation(c, caught, listing, repoIds) : undefined;
  if (!refuted) {
    report.notices.push(`caught up from checkpoint ${caught.key}: ${caught.applied.length} segment(s) applied without reading them one by one`);
    return true;
  }
  c.state.transaction(() => {
    const forget = c.state.db.prepare('DELETE FROM segments WHERE key = ?');
    for (const key of caught.applied) {
      segmentRuns(c.state.db).explode(key);
      forget.run(key);
    }
  });
  report.notices.push(`ignored checkpoint ${caught.key}: ${refuted}; its segments are read one by one instead`);
  return false;
}
