/**
 * Steps 1-4 of a round: follow an upgrade of the repository's format, list `log/`, make sure the
 * remote still holds our repository, detect a restored or cloned node, put back what the remote
 * lost of our journal, notice segments of others that vanished, look for lost packs when asked
 * to, and apply new segments.
 */
import type { LocalState } from '../../local/state.js';
import { objectExists } from '../../storage/listing.js';
import type { CountingStorage } from '../../storage/wrappers/counting.js';
import type { ListedSegment } from '../ingest.js';
import { applyNewSegments, listSegments, type SegmentsState } from '../remote-segments.js';
import { collects, verifyRepository, type RepositoryFormat } from '../repository.js';
import type { StepContext } from '../round-context.js';
import { emptyReport, type StepReport } from '../sync-summary.js';
import { catchUpFromCheckpoint, type CheckpointReadState } from '../checkpoints/read.js';
import { confirmCheckpoint } from '../checkpoints/spot-check.js';
import { CheckpointsOnRemote } from '../collection/collected-elsewhere.js';
import { checkpointsUnchanged, rememberCheckpointLook } from '../collection/quiet-rounds.js';
import { learnCollected, retireIfCheckpointsSay } from '../collection/learn-collected.js';
import { findLostPacks, type LostPacksState } from './find-lost-packs.js';
import { pullAuthors } from './exchange-authors.js';
import { retireWriterIfForeign, type RetireState } from './retire-writer.js';
import { followUpgrades } from '../upgrade/follow-upgrades.js';
import { forgetCollectedPacksIfDue } from '../collection/forget-collected-packs.js';

/** What pulling reads and writes of the local state: its own journal and segment records, and what the steps it runs need. */
export type PullState = SegmentsState &
  CheckpointReadState &
  LostPacksState &
  RetireState &
  Pick<LocalState, 'db' | 'knownSegments' | 'journalKeys' | 'journalIndex' | 'journalBytes' | 'markUploaded' | 'segmentState' | 'republishSegment' | 'versionsOf'>;

/**
 * `changed`: whether anything new was merged; `listed`: segments the listing of `log/` showed;
 * `checkBeforeWriting`: the repository check this round spared (an empty `log/`, as last round),
 * which must pass before it writes anything.
 */
export async function pullRemote(ctx: StepContext<PullState>): Promise<{ changed: boolean; report: StepReport; listed: number; sentLate: string[]; checkBeforeWriting?: () => Promise<void> }> {
  const { state, storage, options } = ctx;
  const report = emptyReport();
  const listing = await listSegments(storage);
  const listed = new Set(listing.map((k) => k.key));
  const known = state.knownSegments();
  // A repository that collects (§3.10): what vanished may be in a checkpoint, not lost; and once
  // `log/` is collected empty, a checkpoint read before shows the remote is still ours.
  const checkpointsFor = (format: RepositoryFormat) => (collects(format) ? new CheckpointsOnRemote(storage, options.codec, state.db) : undefined);
  let checkpoints = checkpointsFor(state.round.get('format'));
  // Nothing changed in `log/` since the last round that listed them: the checkpoints have nothing new to say (quiet-rounds.ts).
  const quiet = checkpointsUnchanged(state, listing, options.now());
  const repoIds = await repositoryIds(state, storage, listing, listed, known, async () => quiet || ((await checkpoints?.listsOneRead()) ?? false));
  // The remote is ours: follow an upgrade, which changes how everything below reads what vanished
  // (looked for at once when something vanished from a format-2 repository: it may be collected).
  const format = state.round.get('format');
  report.notices.push(...(await followUpgrades(ctx, format === 2 && somethingVanished(state, listed, known))));
  if (state.round.get('format') !== format) checkpoints = checkpointsFor(state.round.get('format'));
  if (checkpoints) checkpoints.repoIds = new Set(repoIds);
  const collected = checkpoints?.table.collected() ?? new Set<string>();

  retireWriterIfForeign(state, options.policy.foreignSegments(listing, state.round.get('writer'), new Set([...state.journalKeys(), ...collected])), report);
  if (checkpoints && !quiet) await retireIfCheckpointsSay(checkpoints, state, report);
  options.policy.afterListing(state, listing);

  const journal = await reuploadJournal(state, storage, listed, checkpoints);
  const vanished = await republishVanished(state, storage, listed, known, collected, checkpoints);
  for (const key of vanished) report.errors.push(`the remote lost ${key} (was the storage restored from an older copy?); its versions go out again from this node`);
  // A segment sent late names packs written before the crash (or failed upload) that left it: a
  // rollback since then took them and nothing else would tell this node, the only one holding
  // their content, to upload it again (other nodes' failed reads take rounds to condemn a pack).
  // Looked for once the new segments are applied (below): a pack one of them announced condemned
  // (§3.12) and its announcer deleted since is collected, not lost.
  if (journal.lostOwn || journal.sentLate.length > 0 || vanished.length > 0) state.round.set('checkPacks', true); // kept until a check completes: a crash in it does not forget

  const progress = (total: number) => ctx.progress({ phase: 'fetch', done: 0, total, bytes: 0 });
  const pull = { state, storage, now: options.now(), fetchConcurrency: options.fetchConcurrency, codec: options.codec, progress, signal: ctx.signal };
  // Far behind (a new machine, a restored one): the largest checkpoint instead of every segment.
  const catchUp = { storage, codec: options.codec, state, threshold: options.checkpointReadAfter, policy: options.policy, now: options.now, signal: ctx.signal };
  const knownBefore = known.size;
  const learned = checkpoints && !quiet ? await learnCollected(catchUp, checkpoints, listing, known, repoIds, report) : [];
  const caught = await catchUpFromCheckpoint(catchUp, listing, known, repoIds, report);
  for (const key of caught?.applied ?? []) known.add(key);
  let changed = (await applyNewSegments(pull, report, listing, known, repoIds)) || learned.length > 0;
  if (caught && caught.applied.length > 0) {
    changed = true;
    // A checkpoint that left out what its segments carry is refuted: read them one by one now.
    if (!(await confirmCheckpoint(catchUp, caught, listing, repoIds, report, options.policy.checksCheckpoints()))) {
      for (const key of caught.applied) known.delete(key);
      await applyNewSegments(pull, report, listing, known, repoIds);
    }
  }
  await lookForLostPacks(ctx, report, knownBefore > 0 && learned.length > 0);
  await forgetCollectedPacksIfDue(ctx); // what collectors deleted leaves this node's state too
  // New segments may come from writers (or names) this node has not seen: one listing of authors.
  if (changed) report.errors.push(...(await pullAuthors(ctx)));
  if (checkpoints && !quiet) rememberCheckpointLook(state, listing, options.now());
  const spared = quiet && listing.length === 0;
  return { changed, report, listed: listing.length, sentLate: journal.sentLate, ...(spared ? { checkBeforeWriting: () => checkRepository(state, storage) } : {}) };
}

async function checkRepository(state: PullState, storage: CountingStorage): Promise<void> {
  state.round.set('repoIds', await verifyRepository(storage, state.round.get('repo'), state.round.get('format'), state.round.get('encrypted')));
}

function somethingVanished(state: PullState, listed: Set<string>, known: Set<string>): boolean {
  for (const key of known) if (!listed.has(key) && state.segmentState(key) === 'applied') return true;
  return state.journalIndex().some((e) => e.uploaded && !listed.has(e.key));
}

/**
 * Looks for lost packs when the round state asks it. `away`: this round took segments collected
 * before this node read them: it was away, long enough for packs to be condemned and deleted
 * meanwhile, and their condemnations forgotten with the segments that made them (§3.12). It may
 * still hold locations in such a pack and deduplicate against them (a version staged offline,
 * this round's scan): it looks before anything is published (sim seed 1121254). A node that knew
 * nothing before holds no such location.
 */
async function lookForLostPacks(ctx: StepContext<PullState>, report: StepReport, away: boolean): Promise<void> {
  if (away) ctx.state.round.set('checkPacks', true);
  if (!ctx.state.round.get('checkPacks') || !ctx.options.policy.looksForLostPacks()) return;
  const { errors, notices } = await findLostPacks(ctx, away);
  report.errors.push(...errors);
  report.notices.push(...notices);
}

/**
 * The ids the repository answers to. The repository check costs a request; skip it when the
 * listing shows a segment this node already verified, or a checkpoint it read (`checkpointRead`):
 * then the remote is still ours. A wiped, emptied or switched remote shows neither, and is checked
 * (and stopped) before anything else happens.
 */
async function repositoryIds(state: PullState, storage: CountingStorage, listing: ListedSegment[], listed: Set<string>, known: Set<string>, checkpointRead: () => Promise<boolean>): Promise<string[]> {
  const writer = state.round.get('writer');
  const anchored =
    listing.some((k) => known.has(k.key) && !k.key.startsWith(`log/${writer}/`)) ||
    state.journalIndex().some((e) => e.writer === writer && e.uploaded && listed.has(e.key)) ||
    (await checkpointRead());
  const repoIds = state.round.get('repoIds');
  if (anchored && repoIds.length > 0) return repoIds;
  await checkRepository(state, storage);
  return state.round.get('repoIds');
}

/**
 * Journal entries a crash left behind, or that the remote lost (storage rolled back): re-upload,
 * same key and bytes. Uploaded entries of retired incarnations count too: they are history other
 * nodes may build on. Returns whether the remote had lost any of our uploaded segments
 * (`lostOwn`), and the segments never uploaded before that went out now (`sentLate`: their
 * versions may need chunks of packs condemned since they were made, rescue-condemned.ts).
 */
async function reuploadJournal(state: PullState, storage: CountingStorage, listed: Set<string>, checkpoints?: CheckpointsOnRemote): Promise<{ lostOwn: boolean; sentLate: string[] }> {
  let lostOwn = false;
  const sentLate: string[] = [];
  for (const entry of state.journalIndex()) {
    // Uploaded and listed: nothing to do. Never uploaded, of a retired incarnation: not this node's to send.
    if (entry.uploaded ? listed.has(entry.key) : entry.writer !== state.round.get('writer')) continue;
    // Bundled in a listed checkpoint (§3.10): collected, or about to be; its content is safe there,
    // so nothing will upload it again. Asked first: it spares a read per segment. An entry never
    // marked uploaded can be so too: its put went through, the round ended before it was noted,
    // and another node collected it since (simulation seed 8528). Put again, it would bring back
    // versions that checkpoint pruned, naming packs collected after them.
    if (!listed.has(entry.key) && checkpoints && (await checkpoints.collected(entry.key))) {
      state.markUploaded(entry.key);
      checkpoints.table.forgetJournal(entry.key);
      continue;
    }
    if (entry.uploaded) {
      // Unlisted: lost, or (where listings lag) merely not listed yet; ask the object itself.
      if (!storage.capabilities.consistentListing && (await objectExists(storage, entry.key))) continue;
      lostOwn = true;
    } else sentLate.push(entry.key);
    await storage.putIfAbsent(entry.key, state.journalBytes(entry.key)!);
    state.markUploaded(entry.key);
  }
  return { lostOwn, sentLate };
}

/**
 * Segments of other writers this node had applied that the listing no longer shows: the storage
 * went back in time (or, where listings lag or drop entries, maybe not: ask the object itself).
 * Packs may be gone too (the caller looks). And the author of a lost segment may never upload it
 * again (restored from an older copy too, or gone for good): its versions go out again in this
 * node's next segment, so every node still gets them. Returns the vanished keys.
 */
async function republishVanished(state: PullState, storage: CountingStorage, listed: Set<string>, known: Set<string>, collected: Set<string>, checkpoints?: CheckpointsOnRemote): Promise<string[]> {
  const journaled = state.journalKeys();
  const vanished: string[] = [];
  for (const key of known) {
    // Found collected before (every segment of a long history): no query each.
    if (listed.has(key) || journaled.has(key) || collected.has(key) || state.segmentState(key) !== 'applied') continue;
    // Bundled in a listed checkpoint (§3.10): collected, or about to be, and safe there; asked
    // first, as it costs no read per segment once that checkpoint's parts are read.
    if ((checkpoints && (await checkpoints.collected(key))) || (await objectExists(storage, key))) continue;
    vanished.push(key);
    state.republishSegment(key);
  }
  return vanished;
}
