/**
 * Learning what collection took before this node read it (docs/PROTOCOL.md §3.10). A segment
 * deleted by collection is gone from `log/` but bundled in a checkpoint; a node that never
 * applied it (a new machine, one back after months, one whose read of it failed mid-round) must
 * read that checkpoint. Each round of a collecting repository reads every listed checkpoint it
 * has not read yet, once, whole, and applies what it bundles that this node does not know. What a
 * checkpoint covers (its manifest's frontier, kept here) tells a restored node that the remote holds more of its own
 * writer id than it wrote (its segments may all be collected): it retires the id (§7).
 */
import type { LocalState } from '../../local/state.js';
import type { Coverage } from '../../local/collection-table.js';
import { isStorageError } from '../../storage/errors.js';
import type { ManifestKey } from '../checkpoints/format.js';
import { applyParts, type CatchUp } from '../checkpoints/read.js';
import type { ListedSegment } from '../ingest.js';
import { parseSegmentKey } from '../segment.js';
import type { StepReport } from '../sync-summary.js';
import { retireWriterIfForeign, type RetireState } from '../steps/retire-writer.js';
import type { CheckpointsOnRemote } from './collected-elsewhere.js';
import { segmentRuns } from '../../local/segment-runs.js';

export type LearnState = CatchUp['state'] & RetireState & Pick<LocalState, 'db'>;

/** What a listed checkpoint covers: kept here after its first read; undefined if it cannot be read now. */
async function coverageOf(remote: CheckpointsOnRemote, k: ManifestKey, report: StepReport): Promise<Coverage | undefined> {
  const kept = remote.table.frontier(k.key);
  if (kept) return kept;
  try {
    const m = await remote.manifest(k);
    const c = { frontier: m.frontier, covered: m.covered };
    remote.table.recordFrontier(k.key, c);
    return c;
  } catch (e) {
    if (!isStorageError(e, 'Corrupt') && !isStorageError(e, 'NotFound')) throw e;
    report.notices.push(`ignored checkpoint ${k.key}: ${(e as Error).message}`);
    return undefined;
  }
}

/**
 * Before anything is uploaded this round: a checkpoint whose frontier for this node's writer id
 * passes what it wrote means another copy of this node wrote more (restored or cloned), and
 * those segments may all be collected, so no listing of `log/` shows them.
 */
export async function retireIfCheckpointsSay(remote: CheckpointsOnRemote, state: RetireState, report: StepReport): Promise<void> {
  for (const k of await remote.manifests()) {
    const c = await coverageOf(remote, k, report);
    const writer = state.round.get('writer');
    const own = c && Object.hasOwn(c.frontier, writer) ? c.frontier[writer]! : 0;
    if (own > state.round.get('seq')) retireWriterIfForeign(state, [{ key: k.key, writer, seq: own, hash: '' }], report);
  }
}

/** Per writer, the sequence numbers this node holds a segment at (applied, condemned, republished, journaled) or sees listed. */
function heldNumbers(state: LearnState, listing: ListedSegment[]): Map<string, Set<number>> {
  const out = new Map<string, Set<number>>();
  const add = (writer: string, seq: number) => (out.get(writer) ?? out.set(writer, new Set()).get(writer)!).add(seq);
  for (const r of state.db.prepare('SELECT writer, seq FROM segments').iterate() as Iterable<{ writer: string; seq: number }>) add(r.writer, r.seq);
  for (const r of segmentRuns(state.db).segments()) add(r.writer, r.seq);
  for (const key of state.journalKeys()) {
    const k = parseSegmentKey(key);
    if (k) add(k.writer, k.seq);
  }
  for (const k of listing) add(k.writer, k.seq);
  return out;
}

/** Whether a checkpoint covers a number this node holds no segment at and does not see listed. */
function reachesAGap(c: Coverage, held: Map<string, Set<number>>): boolean {
  return Object.entries(c.frontier).some(([writer, n]) => {
    const seqs = held.get(writer);
    for (let seq = 1; seq <= n; seq++) if (!seqs?.has(seq)) return true;
    return false;
  });
}

/**
 * Applies what listed checkpoints bundle that this node does not know and `log/` no longer lists
 * (collected, or lost: the checkpoint is then the only copy). A listed segment is read from the
 * log, never taken from a checkpoint: a checkpoint could leave versions out (§3.9). Each
 * checkpoint is read whole once, not judged by its frontier (where a writer id forked, this node
 * may hold another segment at a number it covers: only the keys tell), and again whenever its
 * frontier reaches a number this node holds nothing at (a segment listed when it was read, then
 * collected before this node could read it). Returns the segments taken.
 */
export async function learnCollected(
  c: CatchUp & { state: LearnState },
  remote: CheckpointsOnRemote,
  listing: ListedSegment[],
  known: Set<string>,
  repoIds: string[],
  report: StepReport,
): Promise<string[]> {
  const aliases = new Set(repoIds);
  const applied = new Set<string>();
  let held: Map<string, Set<number>> | undefined;
  // What the log lists is read from the log (step 4), never taken from a checkpoint. A segment
  // taken from one checkpoint this round is taken again from the next that bundles it: versions
  // only add up, so one checkpoint that left some out cannot hide them when another carries them.
  let skip: Set<string> | undefined; // made when a checkpoint is first applied: most rounds apply none
  for (const k of await remote.manifests()) {
    const coverage = await coverageOf(remote, k, report);
    if (!coverage) continue;
    if (remote.table.learned(k.key) && !reachesAGap(coverage, (held ??= heldNumbers(c.state, listing)))) continue;
    let m;
    try {
      m = await remote.manifest(k);
    } catch (e) {
      if (!isStorageError(e, 'Corrupt') && !isStorageError(e, 'NotFound')) throw e;
      report.notices.push(`ignored checkpoint ${k.key}: ${(e as Error).message}`);
      continue;
    }
    let partsRead = 0;
    skip ??= new Set([...known, ...listing.map((s) => s.key)]);
    const taken = await applyParts(c, m, skip, aliases, report, new Set(), () => partsRead++);
    for (const s of taken) known.add(s);
    for (const s of taken) applied.add(s);
    held = undefined; // what it brought counts for the next checkpoint
    // The segments of a part that cannot be read may be collected: then nothing else gives them.
    if (partsRead === m.parts.length) remote.table.markLearned(k.key);
    else
      report.errors.push(
        `checkpoint ${k.key}: ${m.parts.length - partsRead} of its ${m.parts.length} part(s) could not be read; what they bundle is read from the log where it is still there, and tried again next sync`,
      );
  }
  remote.table.forgetUnlisted((await remote.manifests()).map((k) => k.key));
  return [...applied];
}
