/**
 * One sync round. The request budget matters: with nothing new, a round costs two listings
 * (`repo/` and `log/`) and nothing else.
 *
 *  1. verify the repository, list `log/`;
 *  2. detect a restored or cloned node (segments of our writer that our journal does not know):
 *     retire the writer id, re-issue unsent edits under a new incarnation;
 *  3. upload journal entries a crash left behind (same key, same bytes: idempotent);
 *  4. fetch, verify and merge new segments (one transaction);
 *  5. scan and stage local changes, packs uploaded as they fill;
 *  6. if the round took too long, re-read the remote before committing;
 *  7. journal the segment, then upload it (data before metadata: packs are already there);
 *  8. materialize the merged tree.
 */
import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { walkLibrary, effectiveStat, sameStat, recordStat, isUnseen, IGNORE_CTIME } from '../local/scan.js';
import { forgetUnlisted } from './broken-variants.js';
import { abortPoint, checkAborted } from '../model/abort.js';
import { plannedVersionHeld } from './adoption.js';
import { stageFile } from './local-changes.js';
import type { SyncSummary } from './sync-summary.js';
import type { RoundContext } from './round-context.js';
import { materializeTree } from './materialize-tree.js';
import { buildTree, headsByPath, resolvePath } from './merge.js';
import { PackWriter } from './packs.js';
import { settleRecent } from './settle.js';
import { applyNewSegments, listSegments } from './remote-segments.js';
import { LOCATIONS_PER_SEGMENT, publishable, versionBatches } from './segment-batches.js';
import { findDamagedPacks, markPacksLost, verifyOtherLocations } from './pack-health.js';
import { verifyRepository } from './repository.js';
import { listAll, objectExists } from '../storage/listing.js';
import { encodeSegment, SEGMENT_FORMAT, type SegmentKey } from './segment.js';
import { contentId, withHash, type HashedVersion, type Version } from '../model/version.js';

export async function runRound(ctx: RoundContext): Promise<SyncSummary> {
  const { state, storage, options } = ctx;
  const started = options.now();
  storage.resetStats();
  const summary: SyncSummary = {
    repository: state.round.get('repo'),
    writer: state.round.get('writer'),
    uploaded: { versions: 0, bytes: 0, packs: 0, segments: 0 },
    downloaded: { files: 0, bytes: 0 },
    local: { added: 0, changed: 0, deleted: 0 },
    remote: { added: 0, changed: 0, deleted: 0 },
    conflicts: [],
    errors: [],
    notices: [],
    retryable: [],
    skipped: [],
    requests: storage.stats.requests,
    totalRequests: 0,
    bytesUp: 0,
    bytesDown: 0,
    durationMs: 0,
  };

  ctx.progress({ phase: 'list', done: 0, total: 0, bytes: 0 });
  let changed = await pullRemote(ctx, summary);
  checkAborted(ctx.signal);

  const { created: localChanges, packed } = await scanLocal(ctx, summary);
  checkAborted(ctx.signal);
  if (localChanges > 0 && options.now() - started > options.roundLimitMs) {
    // A laptop slept or the upload took long: look at the remote again before committing, so
    // what we commit is judged against what is there now (our versions keep their parents).
    changed = (await pullRemote(ctx, summary)) || changed;
  }
  // Packs written with no new version (content uploaded again after a loss) still need a segment
  // to publish where their chunks are; so does an announcement of lost packs.
  if (localChanges > 0 || packed || state.round.get('announceLost').length > 0 || state.pendingVersions().length > 0) {
    await commitPending(ctx, summary);
    changed = true;
  }
  // The flag outlives a crash: a round killed mid-materialize finishes the job in the next one.
  if (changed || localChanges > 0) state.round.set('materialize', true);
  if (state.round.get('materialize')) {
    const complete = await materializeTree(ctx, summary);
    if (complete) state.round.set('materialize', false);
  }

  state.round.set('lastSync', new Date(options.now()).toISOString());
  summary.totalRequests = storage.totalRequests();
  summary.bytesUp = storage.stats.bytesUp;
  summary.bytesDown = storage.stats.bytesDown;
  summary.requests = { ...storage.stats.requests };
  summary.durationMs = options.now() - started;
  ctx.progress({ phase: 'done', done: 1, total: 1, bytes: summary.bytesUp + summary.bytesDown });
  return summary;
}

/** Steps 1-4. Returns whether anything new was merged. */
async function pullRemote(ctx: RoundContext, summary: SyncSummary): Promise<boolean> {
  const { state, storage } = ctx;
  const listing = await listSegments(storage);
  const listed = new Set(listing.map((k) => k.key));
  // The repository check costs a request; skip it when the listing shows a segment this node
  // already verified (then the remote is still ours). A wiped, emptied or switched remote shows
  // none, and is checked (and stopped) before anything else happens.
  const known = state.knownSegments();
  const anchored = listing.some((k) => known.has(k.key) && !k.key.startsWith(`log/${state.round.get('writer')}/`)) || state.journal(state.round.get('writer')).some((e) => e.uploaded && listed.has(e.key));
  let repoIds = state.round.get('repoIds');
  if (!anchored || repoIds.length === 0) {
    repoIds = await verifyRepository(storage, state.round.get('repo'));
    state.round.set('repoIds', repoIds);
  }

  if (ctx.options.brokenVariant !== 'skip-restored-node-check') retireWriterIfForeign(ctx, listing, summary);
  if (ctx.options.brokenVariant === 'delete-on-missing-listing') forgetUnlisted(state, listing);

  // Journal entries a crash left behind, or that the remote lost (storage rolled back): re-upload,
  // same key and bytes. Uploaded entries of retired incarnations count too: they are history
  // other nodes may build on.
  const journal = state.journalIndex();
  const unsent = new Set(journal.filter((e) => !e.uploaded).map((e) => e.key));
  let lostOwn = false;
  for (const entry of journal) {
    if (entry.uploaded && listed.has(entry.key)) continue;
    if (entry.uploaded) {
      // Unlisted: lost, or (where listings lag) merely not listed yet; ask the object itself.
      if (!storage.capabilities.consistentListing && (await objectExists(storage, entry.key))) continue;
      lostOwn = true;
    } else if (entry.writer !== state.round.get('writer')) continue;
    await storage.putIfAbsent(entry.key, state.journalBytes(entry.key)!);
    state.markUploaded(entry.key);
  }
  // Segments of other writers this node had applied that the listing no longer shows: the storage
  // went back in time (or, where listings lag or drop entries, maybe not: ask the object itself).
  // Packs may be gone too: look below. And the author of a lost segment may never upload it again
  // (restored from an older copy too, or gone for good): its versions go out again in this
  // node's next segment, so every node still gets them.
  const journaled = new Set(journal.map((e) => e.key));
  const vanished: string[] = [];
  for (const key of known) {
    if (listed.has(key) || journaled.has(key) || state.segmentState(key) !== 'applied') continue;
    if (await objectExists(storage, key)) continue;
    vanished.push(key);
    state.republishSegment(key);
    summary.errors.push(`the remote lost ${key} (was the storage restored from an older copy?); its versions go out again from this node`);
  }
  if (lostOwn || vanished.length > 0) state.round.set('checkPacks', true); // kept until a check completes: a crash in it does not forget
  if (state.round.get('checkPacks') && ctx.options.brokenVariant !== 'ignore-lost-packs') await findLostPacks(ctx, summary);

  const progress = (total: number) => ctx.progress({ phase: 'fetch', done: 0, total, bytes: 0 });
  const pull = { state, storage, now: ctx.options.now(), fetchConcurrency: ctx.options.fetchConcurrency, progress, signal: ctx.signal };
  const added = await applyNewSegments(pull, summary, listing, known, repoIds);
  if (state.round.get('checkPacks') && ctx.options.brokenVariant !== 'ignore-lost-packs') await findLostPacks(ctx, summary);
  return added;
}

/**
 * After a storage rollback: which packs that known chunks live in are gone from the remote. A pack
 * counts as lost only when a listing does not show it and a read of it answers NotFound (the truth
 * is on the storage: an announcement by another node only makes this node look). Locations in
 * lost packs are forgotten; the packs are announced in this node's next segment, so nodes that
 * would not notice look too; and what this node holds of them on disk is uploaded again in this
 * round's scan.
 */
async function findLostPacks(ctx: RoundContext, summary: SyncSummary): Promise<void> {
  const { state, storage } = ctx;
  const inUse = state.packsInUse();
  const lost: string[] = [];
  if (inUse.length > 0) {
    const listed = new Set((await listAll(storage, 'packs/')).map((o) => o.key));
    for (const pack of inUse) if (!listed.has(pack) && !(await objectExists(storage, pack))) lost.push(pack);
  }
  // Packs another node announced that are still there: damaged ones (not matching their name)
  // count as lost too, so the nodes holding their content upload it again.
  const { damaged, pending } = await findDamagedPacks(state, storage, ctx.options.now(), inUse, lost, state.round.get('verifyPacks'));
  const gone = [...lost, ...damaged];
  const held = gone.length > 0 ? (state.db.prepare(`SELECT DISTINCT hash FROM chunk_locations WHERE pack IN (${gone.map(() => '?').join(',')})`).all(...gone) as { hash: string }[]).map((r) => r.hash) : [];
  state.transaction(() => {
    markPacksLost(state, gone);
    state.round.set('verifyPacks', pending);
    state.round.set('checkPacks', pending.length > 0); // announced packs not judged yet: look again
  });
  await verifyOtherLocations(state, storage, held);
  if (lost.length > 0) summary.errors.push(`the remote lost ${lost.length} pack(s) (was the storage restored from an older copy?); re-uploading what this node still has of them`);
  if (damaged.length > 0) summary.errors.push(`${damaged.length} pack(s) on the remote are damaged (they do not match their name); re-uploading what this node has of them`);
}

/**
 * A segment of our own writer id that our journal does not know means another copy of this
 * node wrote it: we were restored from an older backup, or cloned. Retire the id (its segments
 * stay valid history), move to a new incarnation, and re-issue what we had not uploaded.
 */
function retireWriterIfForeign(ctx: RoundContext, listing: SegmentKey[], summary: SyncSummary): void {
  const { state } = ctx;
  const writer = state.round.get('writer');
  const mine = state.journalKeys();
  const foreign = listing.filter((k) => k.writer === writer && !mine.has(k.key));
  if (foreign.length === 0) return;
  const node = state.round.get('node');
  const next = `${node}.${randomBytes(4).toString('hex')}`;
  state.transaction(() => {
    for (const entry of state.journal(writer)) if (!entry.uploaded) state.dropJournal(entry.key);
    state.round.set('retired', [...state.round.get('retired'), writer]);
    state.round.set('writer', next);
    state.round.set('seq', 0);
    state.round.set('lastSegment', null);
  });
  summary.retiredWriter = writer;
  summary.writer = next;
  summary.notices.push(`this node was restored from an older copy or cloned (the remote holds ${foreign.length} segment(s) of ${writer} it did not write); continuing as ${next}, nothing was lost`);
}

/** Step 5: new versions for what changed locally. Returns how many were created, and whether any pack was written. */
async function scanLocal(ctx: RoundContext, summary: SyncSummary): Promise<{ created: number; packed: boolean }> {
  const { state, storage, options, dir } = ctx;
  const records = state.localRecords();
  const walk = await walkLibrary(dir, ctx.rules, ctx.signal);
  summary.skipped.push(...walk.skipped);
  const writer = state.round.get('writer');
  const packs = new PackWriter(storage, (locs) => state.transaction(() => locs.forEach((l) => state.addChunk(l, null))), (h) => state.hasChunk(h), options.packSize);
  let created = 0;
  // After packs were lost, unchanged files whose recorded version has chunks with no location left
  // are read again and their chunks uploaded (content-addressed: any node holding them may).
  const resupply = state.round.get('resupply');
  const lacksLocation = (hash: string) => state.version(hash)?.chunks.some((h) => !state.hasChunk(h)) ?? false;
  // The hybrid logical clock: never behind the wall clock, never behind anything seen. Kept in
  // memory during the scan and stored with the versions, in one transaction.
  let hlc = state.round.get('hlc');
  const tick = () => (hlc = Math.max(options.now(), hlc + 1));
  let heads: Map<string, HashedVersion[]> | undefined;
  const headsOf = (path: string) => (heads ??= headsByPath(state.allVersions())).get(path) ?? [];
  const tree = () => buildTree(state.allVersions());
  let treeCache: ReturnType<typeof buildTree> | undefined;

  // Versions are kept aside until the packs holding their chunks are written: a version must
  // never be recorded (and later committed) before its content is on the remote.
  const newVersions: { v: HashedVersion; diskPath?: string; stat?: { size: number; mtimeMs: number; ctimeMs: number; ino: number }; adopt?: boolean }[] = [];
  const add = (v: Version, diskPath: string | undefined, stat?: { size: number; mtimeMs: number; ctimeMs: number; ino: number }) => {
    const hv = withHash(v);
    newVersions.push({ v: hv, diskPath, stat });
    created++;
    return hv;
  };
  /**
   * Deleting or editing a conflict copy resolves the conflict: one version replacing all heads (a
   * delete, for a file displaced by a folder of its name: the folder stays).
   */
  const resolveConflict = (path: string, displaced?: boolean) => {
    if (displaced) {
      const all = headsOf(path);
      const live = all.filter((h) => !h.deleted);
      if (live.length > 0) add({ path, parents: all.map((h) => h.hash), hlc: tick(), writer, deleted: true, kind: live[live.length - 1]!.kind, size: 0, mtime: 0, chunks: [] }, undefined);
      return;
    }
    const current = resolvePath(headsOf(path));
    if (!current.winner || current.heads.length < 2) return;
    const w = current.winner;
    add({ ...stripHash(w), parents: current.heads.map((h) => h.hash), hlc: tick(), writer }, undefined);
  };

  const entries = [...walk.entries.values()];
  // Files being written right now get a moment to settle; one that does not is named, never skipped in silence.
  const unsettled = await settleRecent(dir, entries, { recentMs: options.stableAfterMs, maxWaitMs: options.settleWaitMs, signal: ctx.signal });
  let done = 0;
  for (const entry of entries) {
    await abortPoint(ctx.signal);
    const rec = records.get(entry.diskPath);
    records.delete(entry.diskPath);
    const actual = statFields(await effectiveStat(dir, entry));
    const st = recordStat(actual);
    if (rec && sameStat(actual, rec)) {
      if (resupply && entry.kind === 'file' && lacksLocation(rec.version)) await stageFile(dir, entry, packs, join(ctx.stateDir, 'staging'), options.chunking, ctx.signal);
      continue;
    }
    if (entry.kind === 'dir') {
      const base = rec ? state.version(rec.version) : undefined;
      if (base?.kind === 'dir' && !base.deleted) {
        state.putLocal({ ...rec!, ...st });
        continue;
      }
      add({ path: entry.path, parents: rec ? [rec.version] : [], hlc: tick(), writer, kind: 'dir', size: 0, mtime: 0, chunks: [] }, entry.diskPath, st);
      summary.local.added++;
      continue;
    }
    const stillWritten = unsettled.get(entry.diskPath);
    if (stillWritten) {
      summary.skipped.push({ path: entry.diskPath, reason: stillWritten });
      continue;
    }
    ctx.progress({ phase: 'scan', done: done++, total: entries.length, bytes: 0, path: entry.diskPath });
    const staged = await stageFile(dir, entry, packs, join(ctx.stateDir, 'staging'), options.chunking, ctx.signal);
    if ('unstable' in staged) {
      summary.skipped.push({ path: entry.diskPath, reason: staged.unstable });
      continue;
    }
    if (staged.kind === 'sqlite') st.ctimeMs = IGNORE_CTIME; // databases are compared by content
    const base = rec ? state.version(rec.version) : undefined;
    const draft: Version = {
      path: rec?.treePath ?? entry.path,
      parents: rec ? [rec.version] : [],
      hlc: 0,
      writer,
      kind: staged.kind,
      size: staged.size,
      mtime: Math.round(entry.mtimeMs),
      chunks: staged.chunks,
      ...(entry.exec ? { exec: true as const } : {}),
    };
    const mine = base && contentId(base) === contentId(draft) ? undefined : plannedVersionHeld(state, entry.diskPath, draft);
    if (mine) {
      // Written here by a materialization a crash cut short before its record: no new version.
      state.putLocal({ path: entry.diskPath, treePath: mine.treePath, version: mine.version.hash, ...st });
      continue;
    }
    if (base && !base.deleted && contentId(base) === contentId(draft)) {
      state.putLocal({ ...rec!, ...st }); // touched, not changed
      continue;
    }
    if (!rec) {
      // A file with no record that already holds the tree's version (the other node's copy of the
      // same bytes, or a download whose record a crash lost): adopt it, no new version.
      const there = (treeCache ??= tree()).get(entry.path);
      if (there && !there.conflictOf && contentId(there.version) === contentId(draft)) {
        newVersions.push({ v: there.version, diskPath: entry.diskPath, stat: st, adopt: true });
        continue;
      }
    }
    const copy = rec ? (treeCache ??= tree()).get(rec.treePath) : undefined;
    const conflictOf = copy?.conflictOf;
    if (conflictOf) {
      // An edited conflict copy becomes a file of its own, and the conflict is resolved.
      add({ ...draft, path: entry.path, parents: [], hlc: tick() }, entry.diskPath, st);
      resolveConflict(conflictOf, copy.displaced);
    } else {
      add({ ...draft, hlc: tick() }, entry.diskPath, st);
    }
    if (rec) summary.local.changed++;
    else summary.local.added++;
  }

  // Whatever has a record but is no longer on disk was deleted here.
  const removed: string[] = [];
  for (const rec of records.values()) {
    // Behind a link or an unreadable folder the file is unknown, not gone: no delete.
    if (isUnseen(walk, rec.path)) continue;
    const base = state.version(rec.version);
    removed.push(rec.path); // dropped with the versions below, in one transaction
    if (!base || base.deleted) continue;
    const copy = (treeCache ??= tree()).get(rec.treePath);
    if (copy?.conflictOf) {
      resolveConflict(copy.conflictOf, copy.displaced);
      continue;
    }
    // A delete supersedes only what was on this disk (the record), never a version it did not see.
    // Except an empty-folder entry whose folder now holds files: the folder is there, and every
    // entry saying "this folder exists" is answered at once (concurrent entries from several
    // nodes would otherwise be retired one per round, by every node).
    const nowFilled = base.kind === 'dir' && statSync(join(dir, rec.path), { throwIfNoEntry: false })?.isDirectory() === true;
    const dirHeads = nowFilled ? headsOf(rec.treePath).filter((h) => !h.deleted && h.kind === 'dir') : [];
    const everyHead = options.brokenVariant === 'delete-all-heads' ? headsOf(rec.treePath) : []; // a deliberately broken engine
    const parents = [...new Set([rec.version, ...dirHeads.map((h) => h.hash), ...everyHead.map((h) => h.hash)])];
    add({ path: rec.treePath, parents, hlc: tick(), writer, deleted: true, kind: base.kind, size: 0, mtime: 0, chunks: [] }, undefined);
    summary.local.deleted++;
  }
  await packs.flush();
  state.transaction(() => {
    if (resupply) state.round.set('resupply', false);
    if (newVersions.length > 0) state.round.set('hlc', hlc);
    if (newVersions.length > 0) state.round.set('materialize', true); // as for applied segments: crash-proof
    for (const path of removed) state.removeLocal(path);
    for (const { v, diskPath, stat, adopt } of newVersions) {
      if (!adopt) state.addVersion(v, null);
      if (diskPath !== undefined && stat) state.putLocal({ path: diskPath, treePath: v.path, version: v.hash, ...stat });
    }
  });
  summary.uploaded.packs += packs.packsWritten;
  summary.uploaded.bytes += packs.bytesWritten;
  return { created, packed: packs.packsWritten > 0 };
}

/** Only the stat fields: a DiskEntry also has `path`, which must not overwrite a record's. */
const statFields = (e: { size: number; mtimeMs: number; ctimeMs: number; ino: number }) => ({ size: e.size, mtimeMs: e.mtimeMs, ctimeMs: e.ctimeMs, ino: e.ino });

const stripHash = (v: HashedVersion): Version => {
  const { hash: _hash, ...rest } = v;
  return rest;
};

/**
 * Step 7: journal, then upload, the segment(s) carrying pending versions. The last one also
 * publishes every location no segment has yet (content uploaded again after a loss, or packs a
 * crash left unpublished) and announces packs found lost; with only those, it carries no versions.
 */
async function commitPending(ctx: RoundContext, summary: SyncSummary): Promise<void> {
  const { state, storage } = ctx;
  const pending = state.pendingVersions().sort((a, b) => (a.hash < b.hash ? -1 : 1));
  const announce = state.round.get('announceLost');
  // Batches within the limits readers enforce (segment-batches.ts); locations beyond what one
  // segment carries go out in further segments with no versions.
  const batches = versionBatches(pending);
  let done = 0;
  for (let i = 0; ; i++) {
    checkAborted(ctx.signal); // what is journaled goes out next round
    const batch = batches[i] ?? [];
    const lastBatch = i >= batches.length - 1;
    const writer = state.round.get('writer');
    const seq = state.round.get('seq') + 1;
    const all = lastBatch ? state.allUnpublishedChunks() : state.unpublishedChunks(batch.flatMap((v) => v.chunks));
    const last = lastBatch && all.length <= LOCATIONS_PER_SEGMENT;
    const { versions, chunks, dropped } = publishable(batch, all.slice(0, LOCATIONS_PER_SEGMENT));
    if (batch.length === 0 && chunks.length === 0 && (!last || announce.length === 0)) return;
    const { key, bytes } = encodeSegment({
      format: SEGMENT_FORMAT,
      repo: state.round.get('repo'),
      writer,
      seq,
      prev: state.round.get('lastSegment'),
      versions: versions.map(stripHash),
      chunks,
      ...(last && announce.length > 0 ? { lostPacks: announce } : {}),
    });
    state.transaction(() => {
      state.addJournal(writer, seq, key, bytes);
      state.assignSegment(batch.map((v) => v.hash), key); // `dropped` too: never published, never retried
      state.publishChunks(chunks.map((c) => c[0]), key);
      state.recordSegment(key, writer, seq, 'applied');
      state.round.set('seq', seq);
      state.round.set('lastSegment', key);
      if (last) state.round.set('announceLost', []); // journaled: it goes out with the segment
    });
    ctx.progress({ phase: 'upload', done, total: pending.length, bytes: bytes.byteLength });
    done += batch.length;
    // 'exists' can only be our own earlier attempt: the key is the hash of these bytes.
    await storage.putIfAbsent(key, bytes);
    state.markUploaded(key);
    summary.uploaded.segments++;
    summary.uploaded.versions += versions.length;
    if (dropped.length > 0) summary.errors.push(`left ${dropped.length} version(s) another writer made out of a republished segment: their size disagrees with their chunks (e.g. ${JSON.stringify(dropped[0]!.path)})`);
    if (last) return;
  }
}
