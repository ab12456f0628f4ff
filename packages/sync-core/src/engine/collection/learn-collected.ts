/**
 * Learning what collection took before this node read it (docs/PROTOCOL.md §3.10). A segment
 * deleted by collection is gone from `log/` but bundled in a checkpoint; a node that never
 * applied it (a new machine, one back after months, one whose read of it failed mid-round) must
 * read that checkpoint. Each round of a collecting repository compares what every listed
 * checkpoint covers (its manifest is read once, its coverage kept) with the segments this node
 * knows or sees listed, and applies the parts of one that reaches segment numbers it neither
 * knows nor sees. The same coverage tells a restored node that the remote holds more of its own
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

export type LearnState = CatchUp['state'] & RetireState & Pick<LocalState, 'db'>;

/** Per writer, per sequence number, the segment keys this node knows, has journaled or sees listed. */
type Held = Map<string, Map<number, Set<string>>>;

function held(state: LearnState, listing: ListedSegment[]): Held {
  const out: Held = new Map();
  const add = (key: string, writer: string, seq: number) => {
    const seqs = out.get(writer) ?? new Map<number, Set<string>>();
    out.set(writer, seqs);
    const keys = seqs.get(seq) ?? new Set<string>();
    seqs.set(seq, keys);
    keys.add(key);
  };
  for (const r of state.db.prepare('SELECT key, writer, seq FROM segments').iterate() as Iterable<{ key: string; writer: string; seq: number }>) add(r.key, r.writer, r.seq);
  for (const key of state.journalKeys()) {
    const k = parseSegmentKey(key);
    if (k) add(key, k.writer, k.seq);
  }
  for (const k of listing) add(k.key, k.writer, k.seq);
  return out;
}

/** Whether a checkpoint covers a segment number this node holds no segment at, or more segments than it holds within its frontier (a fork). */
function reachesUnheld(c: Coverage, have: Held): boolean {
  let count = 0;
  for (const [writer, n] of Object.entries(c.frontier)) {
    const seqs = have.get(writer);
    for (let seq = 1; seq <= n; seq++) {
      const keys = seqs?.get(seq);
      if (!keys) return true;
      count += keys.size;
    }
  }
  return count < c.covered;
}

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

/** Applies each listed checkpoint that reaches segments this node neither holds nor sees; returns the segments taken. */
export async function learnCollected(
  c: CatchUp & { state: LearnState },
  remote: CheckpointsOnRemote,
  listing: ListedSegment[],
  known: Set<string>,
  repoIds: string[],
  report: StepReport,
): Promise<string[]> {
  const aliases = new Set(repoIds);
  const applied: string[] = [];
  let have: Held | undefined;
  for (const k of await remote.manifests()) {
    const coverage = await coverageOf(remote, k, report);
    have ??= held(c.state, listing);
    if (!coverage || !reachesUnheld(coverage, have)) continue;
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
    have = undefined; // what it brought counts for the next checkpoint
    // The segments of a part that cannot be read may be collected: then nothing else gives them.
    if (partsRead < m.parts.length)
      report.errors.push(
        `checkpoint ${k.key}: ${m.parts.length - partsRead} of its ${m.parts.length} part(s) could not be read; what they bundle is read from the log where it is still there, and tried again next sync`,
      );
  }
  return applied;
}
