/**
 * One sync round. The request budget matters: with nothing new, a round costs one listing of
 * `log/` and nothing else (the repository is checked only when the listing shows no segment this
 * node already verified; format 3 adds a listing of `checkpoints/`, and once an hour a node of
 * format 2 or 3 looks for an upgrade, engine/upgrade/). The steps, each in engine/steps/:
 *
 *  0. upload the packs staged in the outbox while the remote was unreachable (outbox/);
 *  1. list `log/`, verify the repository when needed (pull-remote.ts);
 *  2. detect a restored or cloned node (segments of our writer that our journal does not know):
 *     retire the writer id, re-issue unsent edits under a new incarnation (retire-writer.ts);
 *  3. upload journal entries a crash left behind or the remote lost (same key, same bytes:
 *     idempotent), and republish segments of others the remote lost; look for lost packs
 *     when either happened, or a segment went out late (find-lost-packs.ts);
 *  4. fetch, verify and merge new segments (one transaction; remote-segments.ts);
 *  5. scan and stage local changes, packs uploaded as they fill (scan-local.ts);
 *  6. if the round took too long, re-read the remote before committing;
 *  7. journal the segment, then upload it (data before metadata: packs are already there;
 *     commit-pending.ts);
 *  8. materialize the merged tree (materialize-tree.ts);
 *  9. write a checkpoint when enough segments are not covered by one (write-checkpoint.ts);
 * 10. in format 3, collect what an old-enough checkpoint holds once `log/` lists enough segments
 *     (collect-if-due.ts);
 * 11. keep the names of segments applied and found collected compactly (local/segment-runs.ts).
 * A node far behind reads the largest checkpoint in step 4 instead of every segment (checkpoints/).
 */
import { checkAborted } from '../model/abort.js';
import { hasUnpublishedLocations } from './chunk-locations.js';
import { publishedActions } from './file-actions.js';
import { pendingVersionPages } from '../local/pending-versions.js';
import type { RoundContext } from './round-context.js';
import { checkpointIfDue } from './steps/write-checkpoint.js';
import { collectIfDue } from './steps/collect-if-due.js';
import { commitPending } from './steps/commit-pending.js';
import { drainOutbox, type DrainResult } from './outbox/outbox.js';
import { materializeTree } from './steps/materialize-tree.js';
import { recordWaiting, stillWaiting } from './steps/awaiting-mounts.js';
import { undeclaredMountsNotice } from './steps/undeclared-mounts.js';
import { pullRemote } from './steps/pull-remote.js';
import { gateWrites } from '../storage/wrappers/write-gate.js';
import { scanLocal, type ScanResult } from './steps/scan-local.js';
import { addReport, emptySummary, type SyncSummary } from './sync-summary.js';
import { appendAll } from '../model/append-all.js';
import { segmentRuns } from '../local/segment-runs.js';

export async function runRound(ctx: RoundContext): Promise<SyncSummary> {
  const { state, storage, options } = ctx;
  const started = options.now();
  storage.resetStats();
  const summary = emptySummary(state.round.get('repo'), state.round.get('writer'), storage.stats.requests);

  // Content staged while the remote was unreachable goes up first: its versions wait in the
  // state, pending, and nothing may name a pack the remote does not hold yet (outbox/).
  addDrained(summary, await drainOutbox(ctx));

  ctx.progress({ phase: 'list', done: 0, total: 0, bytes: 0 });
  const pulled = await pull(ctx, summary);
  let changed = pulled.changed;
  const sentLate = [...pulled.sentLate];
  checkAborted(ctx.signal);
  // The folder shows the whole tree, and nothing read so far changed it: not the segments or
  // checkpoints just read (which set the flag even for what `changed` does not count, such as
  // versions a checkpoint names replaced), nor versions or announcements waiting from before.
  let ownOnly = !state.round.get('materialize') && !changed && !state.hasPendingVersions() && state.round.get('announceLost').length === 0;

  const scan = await scanStep(ctx, summary);
  checkAborted(ctx.signal);
  const undeclared = undeclaredMountsNotice(ctx.dir, ctx.rules);
  if (undeclared) summary.notices.push(undeclared);
  if (options.now() - started > options.roundLimitMs && (scan.created > 0 || state.hasPendingVersions())) {
    // A laptop slept or the upload took long: look at the remote again before committing, so
    // what we commit is judged against what is there now (our versions keep their parents), and
    // so that it goes out well within half a collection margin of a listing that showed every
    // condemnation announced until then (§3.12: a pack condemned since may be deduplicated against).
    const again = await pull(ctx, summary);
    changed = again.changed || changed;
    ownOnly = false; // what it read may set the flag unseen among the scan's own
    appendAll(sentLate, again.sentLate);
  }
  const committed = await commitStep(ctx, summary, scan, sentLate);
  if (committed.changed) changed = true;
  if (!committed.clean) ownOnly = false;
  // Nothing came from elsewhere, and the folder already shows what this node's own versions make
  // of the tree (scan-local.ts, inPlace): merging the whole tree would find nothing to write (for
  // one edited file of 100,000, most of the round).
  await materializeStep(ctx, summary, changed || scan.created > 0, ownOnly && scan.inPlace && sentLate.length === 0);

  summary.notices.push(...(await afterRound(ctx, pulled.listed)));

  state.round.set('lastSync', new Date(options.now()).toISOString());
  addCounts(summary, storage, options.now() - started);
  ctx.progress({ phase: 'done', done: 1, total: 1, bytes: summary.bytesUp + summary.bytesDown });
  return summary;
}

/**
 * Step 7: what is due goes out. Packs written with no new version (content uploaded again after
 * a loss), an announcement of lost packs, locations only this node still publishes (a lost
 * segment of another writer gave them, §7.1), segments sent late (their content may have to
 * leave a condemned pack, §3.12). `changed`: the tree may have changed; `clean`: nothing was
 * held back, dropped or left to retry.
 */
async function commitStep(ctx: RoundContext, summary: SyncSummary, scan: ScanResult, sentLate: string[]): Promise<{ changed: boolean; clean: boolean }> {
  const { state } = ctx;
  const due = scan.created > 0 || scan.packs > 0 || state.round.get('announceLost').length > 0 || state.hasPendingVersions() || sentLate.length > 0;
  if (!due && !hasUnpublishedLocations(state)) return { changed: false, clean: true };
  const committed = await commitPending(ctx, sentLate);
  // The question above reads an index made on first use. Made here, after a round that published
  // (the table's pages in this connection's cache), it costs a few ms; left to the next round, a
  // no-op, it read the whole table cold: 11-41 ms of the no-op after a first upload. Once per state.
  hasUnpublishedLocations(state);
  summary.uploaded.segments += committed.segments;
  summary.uploaded.versions += committed.versions;
  appendAll(summary.errors, committed.errors);
  appendAll(summary.retryable, committed.retryable);
  return { changed: due || committed.segments > 0, clean: committed.errors.length === 0 && committed.retryable.length === 0 };
}

/**
 * Step 8, when due. The flag outlives a crash: a round killed mid-materialize finishes the job in
 * the next one. Changed exclude patterns count too: what a dropped pattern held back is now due.
 * What waits only for mount points not there is not redone while they stay away and nothing
 * changes (steps/awaiting-mounts.ts).
 * `inPlace`: the folder already shows the tree (nothing from elsewhere, only versions this round
 * made of what is on disk): the flag is cleared with no work. Not where this node excludes
 * paths: the tree then holds what its disk does not, which a new file may displace.
 */
async function materializeStep(ctx: RoundContext, summary: SyncSummary, changed: boolean, inPlace: boolean): Promise<void> {
  const { state } = ctx;
  const excludedUnder = ctx.rules.excludePatterns?.length ? JSON.stringify(ctx.rules.excludePatterns) : '';
  if (changed || state.round.get('excludedUnder') !== excludedUnder) state.round.set('materialize', true);
  if (inPlace && excludedUnder === '' && state.round.get('excludedUnder') === '') state.round.set('materialize', false);
  if (!state.round.get('materialize')) return;
  const waiting = changed || state.round.get('excludedUnder') !== excludedUnder ? undefined : stillWaiting(state, ctx.rules);
  if (waiting) return addReport(summary, waiting); // the flag stays: the round that finds them mounted writes what waits
  state.round.set('waitingForMounts', ''); // a materialization cut off by a crash is not taken for one that only waits
  const materialized = await materializeTree(ctx);
  addReport(summary, materialized.report);
  recordWaiting(state, ctx.rules, materialized.waitsOnlyForMounts, materialized.report);
  if (materialized.complete || materialized.waitsOnlyForMounts) state.round.set('excludedUnder', excludedUnder);
  if (materialized.complete) state.round.set('materialize', false);
}

/** Step 2-4 (pull-remote.ts), its report added to the summary; a round that wrote nothing yet checks the repository before its first write. */
async function pull(ctx: RoundContext, summary: SyncSummary): Promise<Awaited<ReturnType<typeof pullRemote>>> {
  const pulled = await pullRemote(ctx);
  addReport(summary, pulled.report);
  if (pulled.checkBeforeWriting) ctx.storage = gateWrites(ctx.storage, pulled.checkBeforeWriting);
  return pulled;
}

/** Steps 9 to 11, in that order (a collection may rely on the checkpoint just written): what they have to say. */
async function afterRound(ctx: RoundContext, listedSegments: number): Promise<string[]> {
  const notices = [await checkpointIfDue(ctx), await collectIfDue(ctx, listedSegments)];
  ctx.state.transaction(() => segmentRuns(ctx.state.db).compact(ctx.options.compactSegmentsAfter));
  return notices.filter((n): n is string => n !== undefined);
}

/** The round's requests and bytes, as the storage counted them, and how long it took. */
function addCounts(summary: SyncSummary, storage: RoundContext['storage'], durationMs: number): void {
  summary.totalRequests = storage.totalRequests();
  summary.bytesUp = storage.stats.bytesUp;
  summary.bytesDown = storage.stats.bytesDown;
  summary.requests = { ...storage.stats.requests };
  summary.durationMs = durationMs;
}

function addDrained(summary: SyncSummary, drained: DrainResult): void {
  summary.uploaded.packs += drained.packs;
  summary.uploaded.bytes += drained.bytes;
  appendAll(summary.errors, drained.errors);
  if (drained.packs > 0) summary.notices.push(`uploaded ${drained.packs} pack(s) staged locally while the remote was unreachable`);
  if (drained.dropped) summary.notices.push(`while the remote was unreachable, ${drained.dropped}`);
}

/**
 * Scans, and adds to the summary what the scan found and what the commit will publish: every
 * pending version (made now, staged while offline, left by a crash, or another writer's that the
 * remote lost and this node sends again).
 */
export async function scanStep(ctx: RoundContext, summary: SyncSummary): Promise<ScanResult> {
  const scan = await scanLocal(ctx);
  addScan(summary, scan);
  for (const page of pendingVersionPages(ctx.state.db)) appendAll(summary.files, publishedActions(page));
  return scan;
}

function addScan(summary: SyncSummary, scan: ScanResult): void {
  appendAll(summary.skipped, scan.skipped);
  if (scan.held) summary.notices.push(scan.held.notice);
  summary.heldDeletions += scan.held?.count ?? 0;
  summary.excluded.local += scan.excluded;
  summary.local.added += scan.local.added;
  summary.local.changed += scan.local.changed;
  summary.local.deleted += scan.local.deleted;
  summary.uploaded.packs += scan.packs;
  summary.uploaded.bytes += scan.bytes;
}
