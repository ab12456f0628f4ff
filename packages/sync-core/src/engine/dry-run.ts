/**
 * A dry run: what a sync would send, receive and delete, with nothing changed. It runs the round's
 * own steps (the outbox counted, pull, scan, then the materialization's plan instead of its
 * writes), so what it announces is what the same round would do, not a second guess at it.
 * Where they would write:
 *
 * - the state: a throw-away copy of state.db (SQLite's backup API, so a WAL in use is copied
 *   whole), in a temporary folder that also takes the scan's staging files. New remote segments
 *   are read and applied there only; the library's own state is never opened for writing.
 * - the remote: every write (packs, a journal entry re-uploaded, an author object) is absorbed,
 *   counted and never sent; reads pass through. Nothing reads back what it wrote in these steps.
 * - the folder: nothing is written; no commit, no materialization, no checkpoint. (Probing the
 *   file system's permission bits, as a real scan does, writes and removes one temporary file
 *   that the scan ignores.)
 *
 * The versions a dry run makes are thrown away; the sync makes its own, a moment later. Where
 * this node's edit loses a conflict, the copy is named after that version (its time and hash,
 * merge.ts), so the name the sync writes differs from the one announced; the action is the same.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pendingVersionPages } from '../local/pending-versions.js';
import { LocalState } from '../local/state.js';
import type { Storage } from '../storage/contract.js';
import { forwardAll } from '../storage/wrappers/forward.js';
import { withCounting, type CountingStorage } from '../storage/wrappers/counting.js';
import { hasUnpublishedLocations } from './chunk-locations.js';
import { outboxTotals } from './outbox/outbox.js';
import type { RoundContext } from './round-context.js';
import { countBatches } from './segment-batches.js';
import { scanStep } from './round.js';
import { plannedMaterialization } from './steps/materialize-tree.js';
import { pullRemote } from './steps/pull-remote.js';
import { addReport, emptySummary, type SyncSummary } from './sync-summary.js';

/** Writes that reach nothing: each answers as a success would and is only counted. */
function withWritesAbsorbed(inner: Storage): Storage {
  return forwardAll(inner, {
    putIfAbsent: async () => 'created',
    delete: inner.delete && (async () => undefined),
    putIfMatch: inner.putIfMatch && (async () => ({})),
    close: async () => undefined, // the library's remote stays open: the library closes it
  });
}

/** The round `ctx` would run, planned on a copy of its state; the summary's `files` is the plan. */
export async function dryRunRound(ctx: RoundContext): Promise<SyncSummary> {
  const { storage, options } = ctx;
  const started = options.now();
  const tmp = await mkdtemp(join(tmpdir(), 'syncacross-dry-run-'));
  try {
    await ctx.state.db.backup(join(tmp, 'state.db'));
    const state = new LocalState(join(tmp, 'state.db'));
    try {
      storage.resetStats();
      // Its own count of the writes it absorbed; `storage` counts only requests really made (reads).
      const absorbing: CountingStorage = withCounting(withWritesAbsorbed(storage));
      const planCtx: RoundContext = { ...ctx, state, stateDir: tmp, storage: absorbing };
      const summary: SyncSummary = { dryRun: true, ...emptySummary(state.round.get('repo'), state.round.get('writer'), storage.stats.requests) };
      // Step 0 of a round: packs staged while the remote was unreachable go up first (outbox/).
      const staged = outboxTotals(ctx.stateDir);
      summary.uploaded.packs += staged.packs;
      summary.uploaded.bytes += staged.bytes;
      if (staged.packs > 0) summary.notices.push(`would upload ${staged.packs} pack(s) staged locally while the remote was unreachable`);
      addReport(summary, (await pullRemote(planCtx)).report);
      const scan = await scanStep(planCtx, summary);
      // What a commit would publish: the versions made now and those a crash left unsent, in as
      // many segments as commit-pending.ts would split them into (locations alone may add one).
      // Counted a page at a time: a first upload of 100,000 files is not held whole to be counted.
      const pending = countBatches(pendingVersionPages(state.db));
      const due = scan.created > 0 || scan.packs > 0 || state.round.get('announceLost').length > 0 || pending.versions > 0 || hasUnpublishedLocations(state);
      summary.uploaded.segments = due ? pending.segments : 0;
      summary.uploaded.versions = pending.versions;
      addReport(summary, await plannedMaterialization(planCtx));
      summary.totalRequests = storage.totalRequests();
      summary.bytesUp = storage.stats.bytesUp;
      summary.bytesDown = storage.stats.bytesDown;
      summary.requests = { ...storage.stats.requests };
      summary.durationMs = options.now() - started;
      return summary;
    } finally {
      state.close();
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
