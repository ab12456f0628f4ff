/**
 * Before pending versions go out (docs/PROTOCOL.md §3.12): a chunk one of them needs whose every
 * location is in a condemned pack is copied into a new pack first, read from the condemned one
 * while it is still there. Such a version was recorded before this node learned the condemnation:
 * deduplicated in a round that started before it was announced, or staged offline. Published as
 * it is, it would point only into a pack its collector deletes a margin after the announcement,
 * unless the collector saw it first; copied, it needs nothing of that pack.
 *
 * A chunk that can no longer be read (the pack is gone: this node was away for longer than the
 * margin) holds its version back while the file may still hold it, and the next scan uploads the
 * file's content again if it does (resupply); a version the file no longer holds (edited again
 * offline) is dropped from the pending ones, and said: a version is never published without its
 * content.
 */
import type { LocalState } from '../../local/state.js';
import type { HashedVersion } from '../../model/version.js';
import { CondemnedPacks } from '../../local/condemned-packs.js';
import { isStorageError } from '../../storage/errors.js';
import { ChunkFetcher } from '../chunk-fetcher.js';
import { chunkLocator, type LocationsState } from '../chunk-locations.js';
import { PackWriter } from '../packs.js';
import type { StepContext } from '../round-context.js';
import { dropPending, type SupersededState } from '../outbox/superseded.js';

/** What rescuing reads and writes of the local state. */
export type RescueState = LocationsState & SupersededState & Pick<LocalState, 'addPackChunks' | 'hasChunk'>;

/** What was done: the pending versions held back (by hash), and what to tell. */
export interface Rescue {
  heldBack: Set<string>;
  retryable: string[];
  errors: string[];
}

export async function rescueCondemned(ctx: StepContext<RescueState>, sentLate: readonly string[] = []): Promise<Rescue> {
  const { state, storage, options } = ctx;
  const out: Rescue = { heldBack: new Set(), retryable: [], errors: [] };
  const condemned = new CondemnedPacks(state.db);
  if (!options.policy.honoursCondemnations() || !condemned.any()) return out;
  const usable = condemned.usable();
  const pending = state.pendingVersions();
  const late = versionsIn(state, sentLate);
  const needed = new Set([...pending, ...late].flatMap((v) => v.chunks));
  // Chunks whose every location was in a condemned pack found gone (find-lost-packs.ts): nothing
  // to copy from; any other chunk with no location at all is the lost-pack path's (§7.1).
  const collected = new Set(state.round.get('collectedChunks').filter((h) => needed.has(h) && !state.hasChunk(h)));
  state.round.set('collectedChunks', []);
  const stranded = new Set([...needed].filter((h) => !usable(h) && state.hasChunk(h)));
  if (stranded.size === 0 && collected.size === 0) return out;
  const fetcher = new ChunkFetcher(storage, options.codec, chunkLocator(state), ctx.signal);
  fetcher.plan(stranded);
  // Nothing counts as stored: these chunks are exactly the ones with no usable location.
  const gone = condemned.all();
  const packs = new PackWriter(
    storage,
    options.codec,
    (locs) => state.addPackChunks(locs),
    () => false,
    options.packSize,
    (key) => gone.has(key),
  );
  const unreadable = new Set<string>(collected);
  for (const h of stranded) {
    try {
      await packs.add(h, await fetcher.get(h));
    } catch (e) {
      if (!isStorageError(e, 'NotFound') && !isStorageError(e, 'Corrupt')) throw e;
      unreadable.add(h);
    }
  }
  await packs.flush();
  if (unreadable.size === 0) return out;
  settleUnreadable(state, out, pending, late, unreadable);
  return out;
}

function versionsIn(state: Pick<LocalState, 'db'>, segments: readonly string[]): { hash: string; path: string; chunks: string[] }[] {
  const st = state.db.prepare('SELECT hash, json FROM versions WHERE segment = ?');
  return segments.flatMap((key) => (st.all(key) as { hash: string; json: string }[]).map((r) => ({ ...(JSON.parse(r.json) as { path: string; chunks: string[] }), hash: r.hash })));
}

/** What cannot be copied out (its pack is gone): waits for the file's content, or is dropped and said. */
function settleUnreadable(state: RescueState, out: Rescue, pending: HashedVersion[], late: { hash: string; path: string; chunks: string[] }[], unreadable: Set<string>): void {
  const onDisk = new Set([...state.localRecords().values()].map((r) => r.version));
  const lateLost = late.filter((v) => v.chunks.some((h) => unreadable.has(h)));
  if (lateLost.length > 0) {
    // Already out, they cannot wait: what the files still hold goes up again (resupply), as after a lost pack.
    state.round.set('resupply', true);
    const gone = lateLost.filter((v) => !onDisk.has(v.hash));
    if (gone.length < lateLost.length) out.retryable.push('a segment this machine sent late names content in a pack collected meanwhile; the next sync uploads it again from the files');
    if (gone.length > 0)
      out.errors.push(
        `${gone.length} version(s) made here before this machine was away (e.g. ${JSON.stringify(gone[0]!.path)}) went out after their content's pack was collected, and the files have changed since: those versions' content is lost; the current content is kept`,
      );
  }
  const lost = pending.filter((v) => v.chunks.some((h) => unreadable.has(h)));
  const dropped = lost.filter((v) => !onDisk.has(v.hash));
  for (const v of lost) if (onDisk.has(v.hash)) out.heldBack.add(v.hash);
  state.round.set('doubtfulChunks', [...new Set([...state.round.get('doubtfulChunks'), ...unreadable])]);
  if (out.heldBack.size > 0) {
    state.round.set('resupply', true);
    out.retryable.push(
      `${out.heldBack.size} version(s) made here wait: their content was in a pack collected while this machine was away; the next sync uploads it again from the files if they are unchanged`,
    );
  }
  if (dropped.length > 0) {
    dropPending(state, dropped, false);
    for (const h of dropped) out.heldBack.add(h.hash);
    out.errors.push(
      `${dropped.length} earlier version(s) made here while this machine was away were dropped (e.g. ${JSON.stringify(dropped[0]!.path)}): their content was in a pack collected meanwhile, and the files have changed since; their current content is kept`,
    );
  }
}
