/**
 * Step 7: journal, then upload, the segment(s) carrying pending versions. The last one also
 * publishes every location no segment has yet (content uploaded again after a loss, or packs a
 * crash left unpublished) and announces packs found lost; with only those, it carries no versions.
 * Then the packs those segments point into are confirmed still there (see confirmPacks).
 */
import { checkAborted } from '../../model/abort.js';
import { listAll, objectExists } from '../../storage/listing.js';
import { isStorageError } from '../../storage/errors.js';
import { publishAuthor, type AuthorsState } from './exchange-authors.js';
import { announceReady } from '../upgrade/follow-upgrades.js';
import type { LocalState } from '../../local/state.js';
import { LostAnnouncements } from '../../local/lost-announcements.js';
import type { StepContext } from '../round-context.js';

/** What committing reads and writes of the local state: pending versions, the journal, published chunks. */
export type CommitState = Pick<
  LocalState,
  | 'addChunk'
  | 'addPackChunks'
  | 'addJournal'
  | 'addVersion'
  | 'allUnpublishedChunks'
  | 'hasChunk'
  | 'localRecords'
  | 'putLocal'
  | 'removeLocal'
  | 'assignSegment'
  | 'markUploaded'
  | 'packsInUse'
  | 'pendingVersions'
  | 'publishChunks'
  | 'recordSegment'
  | 'db'
  | 'round'
  | 'transaction'
  | 'unpublishedChunks'
> &
  AuthorsState;
import { LOCATIONS_PER_SEGMENT, publishable, versionBatches } from '../segment-batches.js';
import { pendingVersionCount, pendingVersionPages } from '../../local/pending-versions.js';
import { encodeSegment } from '../segment.js';
import { stripHash } from './new-versions.js';
import { rescueCondemned } from './rescue-condemned.js';
import { appendAll } from '../../model/append-all.js';

export interface CommitResult {
  /** Segments uploaded. */
  segments: number;
  /** Versions they carry. */
  versions: number;
  errors: string[];
  /** Set when a pack just published is gone: the next round uploads its content again. */
  retryable: string[];
}

/** `sentLate`: this writer's segments this round sent long after they were made (their versions are rescued too). */
export async function commitPending(ctx: StepContext<CommitState>, sentLate: readonly string[] = []): Promise<CommitResult> {
  const result: CommitResult = { segments: 0, versions: 0, errors: [], retryable: [] };
  const packs = new Set<string>();
  const rescue = await rescueCondemned(ctx, sentLate);
  appendAll(result.retryable, rescue.retryable);
  appendAll(result.errors, rescue.errors);
  await commitSegments(ctx, result, packs, rescue.heldBack);
  await confirmPacks(ctx, packs, result);
  return result;
}

/**
 * A storage rolled back (a NAS snapshot restored, a sync client reverting a folder) between this
 * round's pack upload and its segment upload keeps the segment and loses the pack: every reader
 * then fails on a pack that only this node can give back, and would take several rounds of failed
 * reads to call it lost. A rollback any later also takes the segment, which the next round sees
 * (republishVanished), so a look at each new pack, now, closes the gap: a missing one makes the
 * next round look for lost packs (§7.1) and upload what this node holds of them again. The look
 * is one listing of `packs/` when that takes fewer requests than a one-byte read per pack; a
 * pack the listing does not show (it may lag) is read.
 */
async function confirmPacks(ctx: StepContext<CommitState>, packs: Set<string>, result: CommitResult): Promise<void> {
  if (packs.size === 0) return;
  let missing = 0;
  try {
    let unlisted = [...packs];
    if (packs.size > Math.ceil(ctx.state.packsInUse().length / 1000)) {
      const listed = new Set((await listAll(ctx.storage, 'packs/', { etags: false })).map((o) => o.key));
      unlisted = unlisted.filter((p) => !listed.has(p));
    }
    for (const pack of unlisted) if (!(await objectExists(ctx.storage, pack))) missing++;
  } catch (e) {
    // The segments are up: a remote that fails this look must not stop the round before the
    // folder is brought up to date. The next round looks for lost packs instead.
    if (!isStorageError(e)) throw e;
    ctx.state.round.set('checkPacks', true);
    result.retryable.push(`could not confirm the packs this sync uploaded (${(e as Error).message}); the next sync looks for them`);
    return;
  }
  if (missing === 0) return;
  ctx.state.round.set('checkPacks', true);
  result.retryable.push(`${missing} pack(s) uploaded in this sync are already gone from the remote (was the storage restored from an older copy?); their content is uploaded again on the next sync`);
}

/** One transaction: the segment into the journal, its versions and locations assigned to it, the sequence moved on. */
function journalSegment(state: CommitState, s: { writer: string; seq: number; key: string; bytes: Uint8Array; versions: string[]; chunks: string[]; announced: string[] }): void {
  state.transaction(() => {
    new LostAnnouncements(state.db).record(s.key, s.announced);
    state.addJournal(s.writer, s.seq, s.key, s.bytes);
    state.assignSegment(s.versions, s.key);
    state.publishChunks(s.chunks, s.key);
    state.recordSegment(s.key, s.writer, s.seq, 'applied');
    state.round.set('seq', s.seq);
    state.round.set('lastSegment', s.key);
    if (s.announced.length > 0) state.round.set('announceLost', []); // journaled: it goes out with the segment
  });
}

async function commitSegments(ctx: StepContext<CommitState>, result: CommitResult, packs: Set<string>, heldBack: ReadonlySet<string>): Promise<void> {
  const { state, storage } = ctx;
  // For progress only: a version held back counts as pending until the next sync sends it.
  const total = Math.max(0, pendingVersionCount(state.db) - heldBack.size);
  const announce = state.round.get('announceLost');
  // Batches within the limits readers enforce (segment-batches.ts), read from the state as they
  // are sent; locations beyond what one segment carries go out in further segments with no versions.
  const batches = versionBatches(pendingVersionPages(state.db), (v) => heldBack.has(v.hash));
  let done = 0;
  for (;;) {
    checkAborted(ctx.signal); // what is journaled goes out next round
    // The last batch carries every location left; past it, segments carry only locations.
    const next = batches.next();
    const { versions: batch, last: lastBatch } = next.done ? { versions: [], last: true } : next.value;
    const writer = state.round.get('writer');
    const seq = state.round.get('seq') + 1;
    const all = lastBatch ? state.allUnpublishedChunks() : state.unpublishedChunks(batch.flatMap((v) => v.chunks));
    const last = lastBatch && all.length <= LOCATIONS_PER_SEGMENT;
    const { codec } = ctx.options;
    const { versions, chunks, dropped } = publishable(batch, all.slice(0, LOCATIONS_PER_SEGMENT), codec.format);
    if (batch.length === 0 && chunks.length === 0 && (!last || announce.length === 0)) return;
    const { key, bytes } = encodeSegment(
      {
        format: codec.format,
        repo: state.round.get('repo'),
        writer,
        seq,
        prev: state.round.get('lastSegment'),
        versions: versions.map(stripHash),
        chunks,
        ...(last && announce.length > 0 ? { lostPacks: announce } : {}),
      },
      codec,
    );
    // `dropped` versions are assigned too: never published, never retried.
    journalSegment(state, { writer, seq, key, bytes, versions: batch.map((v) => v.hash), chunks: chunks.map((c) => c[0]), announced: last ? announce : [] });
    ctx.progress({ phase: 'upload', done: Math.min(done, total), total, bytes: bytes.byteLength });
    done += batch.length;
    // Who writes under this id goes out before the first segment that needs it; so does that it
    // follows upgrades (a writer id minted this very round has said nothing yet, §3.7).
    await publishAuthor(ctx, seq);
    if (state.round.get('format') >= 2) await announceReady(state, storage);
    // 'exists' can only be our own earlier attempt: the key is the hash of these bytes.
    await storage.putIfAbsent(key, bytes);
    state.markUploaded(key);
    for (const c of chunks) packs.add(c[1]);
    result.segments++;
    result.versions += versions.length;
    if (dropped.length > 0)
      result.errors.push(`left ${dropped.length} version(s) another writer made out of a republished segment: their size disagrees with their chunks (e.g. ${JSON.stringify(dropped[0]!.path)})`);
    if (last) return;
  }
}
