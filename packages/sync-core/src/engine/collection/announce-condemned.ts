/**
 * A collection's condemnations go out as a segment of this node's own, with no versions, and with
 * the locations of the chunks it copied out of the packs it repacked (docs/PROTOCOL.md §3.12): readers learn them where they learn everything else, and a
 * checkpoint bundling the segment carries them on. Journaled first, as every segment is, so a
 * crash before the upload leaves it for the next round to send. The announcement's time is the
 * storage's, taken after the upload returned (never earlier than the segment was stored): the
 * pack waits a margin from then.
 */
import type { RepositoryCodec } from '../../codec/repository-codec.js';
import { CondemnedPacks } from '../../local/condemned-packs.js';
import type { LocalState } from '../../local/state.js';
import type { Storage } from '../../storage/contract.js';
import { encodeSegment } from '../segment.js';
import type { ChunkLocation } from '../../model/chunk-location.js';
import { addLocations } from '../chunk-locations.js';

export type AnnounceState = Pick<LocalState, 'addJournal' | 'addChunk' | 'db' | 'markUploaded' | 'recordSegment' | 'round' | 'transaction'>;

/** Announces `packs` condemned, with the copies made of repacked ones; returns the segment's key. `storageNow` reads the storage's clock as this machine estimates it; `publish` false is the simulation's broken variant (round-policy.ts). */
export async function announceCondemned(
  state: AnnounceState,
  storage: Storage,
  codec: RepositoryCodec,
  packs: string[],
  storageNow: () => number,
  copies: ChunkLocation[] = [],
  publish = true,
): Promise<string> {
  const writer = state.round.get('writer');
  const seq = state.round.get('seq') + 1;
  const { key, bytes } = encodeSegment(
    { format: codec.format, repo: state.round.get('repo'), writer, seq, prev: state.round.get('lastSegment'), versions: [], chunks: publish ? copies : [], condemned: packs },
    codec,
  );
  const condemned = new CondemnedPacks(state.db);
  state.transaction(() => {
    state.addJournal(writer, seq, key, bytes);
    state.recordSegment(key, writer, seq, 'applied');
    state.round.set('seq', seq);
    state.round.set('lastSegment', key);
    condemned.record(key, packs); // no deduplication against them here either, from now on
    addLocations(state, copies, key); // where a repacked pack's chunks went
  });
  await storage.putIfAbsent(key, bytes);
  state.markUploaded(key);
  condemned.announced(packs, storageNow());
  return key;
}
