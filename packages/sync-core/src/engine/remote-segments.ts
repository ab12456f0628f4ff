/**
 * Step 4 of a round: which listed segments to read this round, reading them, and applying those
 * that verify (one transaction). Segments that cannot be read as their name promises go through
 * the retry ledger: retried with back-off, reported as retryable meanwhile (the round is not
 * complete: the CLI exits 3), condemned only when the failure persists or the bytes are final.
 */
import type { RepositoryCodec } from '../codec/repository-codec.js';
import type { Storage } from '../storage/contract.js';
import { listAll } from '../storage/listing.js';
import type { LocalState } from '../local/state.js';
import { LostAnnouncements } from '../local/lost-announcements.js';
import { CondemnedPacks } from '../local/condemned-packs.js';
import { addLocations, type LocationsState } from './chunk-locations.js';
import { fetchSegments, type ListedSegment } from './ingest.js';
import type { StepReport } from './sync-summary.js';
import { heedAnnouncement } from './pack-health.js';
import { RetryLedger } from './retry-ledger.js';
import { parseSegmentKey } from './segment.js';

/** Every segment under log/, with its listed size and etag (unparseable keys are not ours). */
export async function listSegments(storage: Storage): Promise<ListedSegment[]> {
  const out: ListedSegment[] = [];
  for (const o of await listAll(storage, 'log/')) {
    const k = parseSegmentKey(o.key);
    if (k) out.push({ ...k, size: o.size, etag: o.etag });
  }
  return out;
}

/** Whether the remote lists a segment this node has not applied (one listing; nothing changes here). */
export async function remoteHasNews(storage: Storage, state: Pick<LocalState, 'knownSegments'>): Promise<boolean> {
  const known = state.knownSegments();
  return (await listSegments(storage)).some((k) => !known.has(k.key));
}

/** What applying segments reads and writes of the local state. */
export type SegmentsState = LocationsState & Pick<LocalState, 'segmentsIn' | 'segmentState' | 'round' | 'addVersion' | 'recordSegment'>;

export interface PullContext {
  state: SegmentsState;
  storage: Storage;
  now: number;
  fetchConcurrency: number;
  /** The repository's format (and key): how its segments decode. */
  codec: RepositoryCodec;
  progress: (total: number) => void;
  /** Ctrl-C: stops between segment fetches. */
  signal?: AbortSignal;
}

/**
 * Listed segments not applied yet and due, condemned ones worth another read, and lost ones that
 * are back. A segment the remote lost was republished here and the locations it taught were
 * forgotten with its packs; a later rollback to a newer copy can bring both back, and then no
 * other node would teach those locations again (seed 413570): read it again, as if new.
 */
function segmentsToRead(state: SegmentsState, ledger: RetryLedger, listing: ListedSegment[], known: Set<string>, now: number): ListedSegment[] {
  const condemned = new Set(state.segmentsIn('corrupt'));
  const republished = new Set(state.segmentsIn('republished'));
  return listing.filter((k) => {
    if (!known.has(k.key) || republished.has(k.key)) return ledger.due(k.key, now, k);
    if (!condemned.has(k.key)) return false;
    // Corrupt: read again when it changed, or when condemned before this ledger existed (then
    // maybe only for a torn read).
    const e = ledger.get(k.key);
    return !e || RetryLedger.changed(e, k) || (!e.condemned && ledger.due(k.key, now, k));
  });
}

/** Returns whether anything new was merged. */
export async function applyNewSegments(ctx: PullContext, report: StepReport, listing: ListedSegment[], known: Set<string>, repoIds: string[]): Promise<boolean> {
  const { state, now } = ctx;
  const ledger = new RetryLedger(state.db);
  const toRead = segmentsToRead(state, ledger, listing, known, now);
  let added = 0;
  let relearned = 0;
  if (toRead.length > 0) {
    ctx.progress(toRead.length);
    const outcome = await fetchSegments(ctx.storage, toRead, repoIds, ctx.codec, ctx.fetchConcurrency, ctx.signal);
    const byKey = new Map(toRead.map((k) => [k.key, k]));
    let maxHlc = state.round.get('hlc');
    state.transaction(() => {
      for (const f of outcome.fetched) {
        // Another node found packs missing: look too (below, before this round's scan re-uploads).
        if (f.segment.lostPacks?.length) {
          new LostAnnouncements(state.db).record(f.key.key, f.segment.lostPacks);
          heedAnnouncement(state, f.segment.lostPacks); // looked for below, before this round's scan re-uploads
        }
        if (f.segment.condemned?.length) new CondemnedPacks(state.db).record(f.key.key, f.segment.condemned);
        for (const v of f.versions) {
          if (state.addVersion(v, f.key.key)) added++;
          maxHlc = Math.max(maxHlc, v.hlc);
        }
        addLocations(state, f.segment.chunks, f.key.key);
        if (state.segmentState(f.key.key) === 'republished') relearned++; // its locations may complete versions already here
        state.recordSegment(f.key.key, f.key.writer, f.key.seq, 'applied');
        ledger.succeeded(f.key.key);
      }
      for (const c of outcome.corrupt) {
        const k = byKey.get(c.key)!;
        ledger.failed(c.key, 'segment', now, { reason: c.reason, size: k.size, etag: k.etag, permanent: true });
        state.recordSegment(c.key, k.writer, k.seq, 'corrupt');
        report.errors.push(`skipped a corrupt segment on the remote: ${c.reason}`);
      }
      for (const t of outcome.torn) {
        const k = byKey.get(t.key)!;
        const missing = t.reason.endsWith('cannot be read yet');
        if (ledger.failed(t.key, 'segment', now, { reason: t.reason, size: k.size, etag: k.etag, missing })) {
          state.recordSegment(t.key, k.writer, k.seq, 'corrupt');
          report.errors.push(`skipped a corrupt segment on the remote (it has not matched its name for ${ledger.get(t.key)!.attempts} reads): ${t.reason}`);
        }
      }
      state.round.set('hlc', maxHlc);
      // With what it applies, in one transaction: a crash before this round materializes must not
      // leave the folder behind a tree the next round sees no reason to write out.
      if (added > 0 || relearned > 0) state.round.set('materialize', true);
    });
  }
  // Whatever is still waiting for a retry, read this round or not: the round is not complete.
  const listed = new Set(listing.map((k) => k.key));
  for (const e of ledger.all('segment')) {
    if (e.condemned || !listed.has(e.key)) continue;
    report.retryable.push(`${e.reason}; will retry (${e.attempts} attempt(s) so far)`);
  }
  return added > 0;
}
