/**
 * `Library.upgrade()` (docs/PROTOCOL.md §3.7): turns a format-2 or format-3 repository into format
 * 4, whose history can be collected (3) and pruned by a retention policy (4). Collection deletes
 * what a checkpoint holds; a node of an earlier release would take each deleted segment for a lost
 * one and upload it again, for as long as it runs, and one that follows upgrades but does not read
 * format 4 would stop. So the upgrade goes ahead only when every writer that has been writing has
 * said it reads the format (`reads/4/<writer>`, written by this release at its first sync), and
 * collection waits a margin after it, so every node that follows has looked (hourly) before
 * anything goes.
 */
import type { LocalState } from '../../local/state.js';
import { AuthorsTable } from '../../local/authors-table.js';
import { SyncError } from '../../model/sync-error.js';
import type { Storage } from '../../storage/contract.js';
import { listAll } from '../../storage/listing.js';
import type { CountingStorage } from '../../storage/wrappers/counting.js';
import { writerLabel, type Author } from '../author-object.js';
import { NEWEST_FORMAT, upgradedFormat, verifyRepository, type RepositoryFormat } from '../repository.js';
import type { RoundOptions } from '../round-context.js';
import { announceReady } from './follow-upgrades.js';
import { encodeUpgrade, listReads, newestByWriter, upgradeKey } from './upgrade-objects.js';

/** A writer that has not written for this long is not waited for (a machine retired, lost or in a drawer): if it syncs again with an earlier release, collection stops and names it. */
const IDLE_WRITER_MS = 30 * 86_400_000;

/** One writer id of the repository, as the upgrade judged it. */
export interface UpgradeWriter {
  /** The writer id (`<node>.<incarnation>`). */
  writer: string;
  /** Who writes under it, if its node published a name. */
  author?: Author;
  /** When its newest listed segment was stored (the storage's time; absent where listings show none). */
  lastWrote?: Date;
  /** Its node said it follows upgrades (or it is one of this node's own ids). */
  ready: boolean;
  /** Not ready, and wrote within IDLE_WRITER_MS: the upgrade waits for it. */
  blocking: boolean;
}

/** What `Library.upgrade()` found and did. */
export interface UpgradeOutcome {
  /** The format before. */
  from: RepositoryFormat;
  /** The format it is now (or would be, in a dry run). */
  to: RepositoryFormat;
  /** Already of the newest format: nothing to do. */
  already: boolean;
  /** Whether the upgrade was written (false in a dry run, or when already done; a writer that blocks it makes it throw `CannotUpgrade`). */
  upgraded: boolean;
  /** Every writer id with a listed segment. */
  writers: UpgradeWriter[];
}

/** How `Library.upgrade()` runs. */
export interface UpgradeOptions {
  /** Say what would happen; write nothing. */
  dryRun?: boolean;
}

export async function upgradeLibrary(state: LocalState, storage: CountingStorage, options: RoundOptions, opts: UpgradeOptions): Promise<UpgradeOutcome> {
  const from = state.round.get('format');
  if (from === 1)
    throw new SyncError(
      'CannotUpgrade',
      'this repository is format 1 (made by an early release): its objects are encoded differently, so it cannot be upgraded in place. Make a new repository (`syncacross init` with another remote) and sync this library into it. Nothing was changed',
    );
  const repoIds = await verifyRepository(storage, state.round.get('repo'), from, state.round.get('encrypted'));
  const now = await upgradedFormat(storage, new Set(repoIds), from);
  if (now >= NEWEST_FORMAT) {
    if (!opts.dryRun) state.round.set('format', now);
    return { from: now, to: now, already: true, upgraded: false, writers: [] };
  }
  if (!opts.dryRun) await announceReady(state, storage);
  const writers = await judgeWriters(state, storage, options.now());
  if (opts.dryRun) return { from, to: NEWEST_FORMAT, already: false, upgraded: false, writers };
  const blocking = writers.filter((w) => w.blocking);
  if (blocking.length > 0) {
    const named = blocking.slice(0, 5).map(describeWriter).join('; ') + (blocking.length > 5 ? '; …' : '');
    throw new SyncError(
      'CannotUpgrade',
      `the upgrade waits for ${blocking.length} machine(s) that wrote in the last 30 days and have not synced with this release yet: ${named}. An earlier release would stop syncing there (it does not read format ${NEWEST_FORMAT}), or take every collected segment for a lost one and upload it again. Install this release there and sync once, then upgrade again. Nothing was changed`,
    );
  }
  // One object per id (aliases of a racing init): a node goes by any of them. Each is created
  // once and never changes, so a crash between two leaves the repository upgraded already (a
  // node takes the highest it sees), and the next run writes the rest.
  for (const id of repoIds) await storage.putIfAbsent(upgradeKey(id, NEWEST_FORMAT), encodeUpgrade(id, NEWEST_FORMAT, from, options.now()));
  state.round.set('format', NEWEST_FORMAT);
  state.round.set('upgradesCheckedAt', options.now());
  return { from, to: NEWEST_FORMAT, already: false, upgraded: true, writers };
}

const describeWriter = (w: UpgradeWriter) => `${writerLabel(w.writer, w.author)}, last wrote ${w.lastWrote?.toISOString().slice(0, 10) ?? 'at a time the storage does not show'}`;

/** Every writer id with a listed segment: whether it follows upgrades, and whether the upgrade must wait for it. */
async function judgeWriters(state: LocalState, storage: Storage, now: number): Promise<UpgradeWriter[]> {
  // Following upgrades is not enough (a node of the previous release follows, and then stops at a format it does not read): it must read this one.
  const ready = await listReads(storage, NEWEST_FORMAT);
  // This node's own ids follow upgrades as it does (a dry run has not said so yet for the current one).
  const own = new Set([state.round.get('writer'), ...state.round.get('retired')]);
  const newest = newestByWriter(await listAll(storage, 'log/'));
  const authorOf = new AuthorsTable(state.db).resolver();
  return [...newest]
    .map(([writer, lastWrote]) => {
      const isReady = ready.has(writer) || own.has(writer);
      const author = authorOf(writer, undefined);
      const recent = lastWrote === undefined || now - lastWrote.getTime() < IDLE_WRITER_MS;
      return { writer, ...(author ? { author } : {}), ...(lastWrote ? { lastWrote } : {}), ready: isReady, blocking: !isReady && recent };
    })
    .sort((a, b) => (b.lastWrote?.getTime() ?? Infinity) - (a.lastWrote?.getTime() ?? Infinity));
}
