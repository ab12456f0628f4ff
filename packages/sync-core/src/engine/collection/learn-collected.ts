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
import type { StepReport } from '../sync-summary.js';
import { retireWriterIfForeign, type RetireState } from '../steps/retire-writer.js';
import type { CheckpointsOnRemote } from './collected-elsewhere.js';

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

/**
 * Applies each listed checkpoint this node has not learned yet: every part is read once, and the
 * segments it bundles that this node does not know are applied. Read whole, never judged by its
 * frontier alone: where a writer id forked (a clone, a restore), this node may hold another
 * segment at a number the checkpoint covers, and only the keys tell. Returns the segments taken.
 */
export async function learnCollected(c: CatchUp & { state: LearnState }, remote: CheckpointsOnRemote, known: Set<string>, repoIds: string[], report: StepReport): Promise<string[]> {
  const aliases = new Set(repoIds);
  const applied: string[] = [];
  for (const k of await remote.manifests()) {
    if (!(await coverageOf(remote, k, report)) || remote.table.learned(k.key)) continue;
    let m;
    try {
      m = await remote.manifest(k);
    } catch (e) {
      if (!isStorageError(e, 'Corrupt') && !isStorageError(e, 'NotFound')) throw e;
      report.notices.push(`ignored checkpoint ${k.key}: ${(e as Error).message}`);
      continue;
    }
    let partsRead = 0;
    const taken = await applyParts(c, m, known, aliases, report, new Set(), (part) => {
      remote.table.recordBundled(k.key, part.segments);
      partsRead++;
    });
    for (const s of taken) known.add(s);
    applied.push(...taken);
    // The segments of a part that cannot be read may be collected: then nothing else gives them.
    if (partsRead === m.parts.length) remote.table.markLearned(k.key);
    else
      report.errors.push(
        `checkpoint ${k.key}: ${m.parts.length - partsRead} of its ${m.parts.length} part(s) could not be read; what they bundle is read from the log where it is still there, and tried again next sync`,
      );
  }
  return applied;
}
