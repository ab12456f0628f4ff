/**
 * What a library's restore reads from (restore.ts): its versions and the remote's chunks, and
 * where the remote fails, this machine's own files holding the same content.
 */
import type { RepositoryCodec } from '../codec/repository-codec.js';
import type { ChunkingParams } from '../model/chunker.js';
import type { LocalState } from '../local/state.js';
import { supersededOf } from '../local/superseded-table.js';
import type { Storage } from '../storage/contract.js';
import { chunkLocator } from './chunk-locations.js';
import { orKeptAside } from './lost-locations.js';
import { heedAnnouncement } from './pack-health.js';
import { localContentOf } from './restore-local-copies.js';
import type { RestoreSource } from './restore.js';

export interface LibrarySourceOptions {
  codec: RepositoryCodec;
  /** Files written at once. */
  concurrency: number;
  chunking: ChunkingParams;
  /** Opened read-only (a restore beside a running sync): nothing is noted in the state. */
  readOnly: boolean;
}

export function librarySource(dir: string, state: LocalState, storage: Storage, o: LibrarySourceOptions): RestoreSource {
  const versions = state.allVersions();
  return {
    versions,
    superseded: supersededOf(state),
    storage,
    codec: o.codec,
    locate: orKeptAside(state.db, chunkLocator(state)),
    concurrency: o.concurrency,
    // Content the remote cannot give may come from this library's files (named in the outcome).
    localContent: localContentOf(dir, () => state.localRecords().values(), versions, o.chunking),
    // A pack a read failed in is looked for by the next round (find-lost-packs.ts), as one another
    // node announced: what the remote lost is uploaded again from here, not named for ever. A
    // library opened read-only cannot note it; `verify --repair` does both at once.
    ...(o.readOnly ? {} : { onUnreadablePacks: (packs: string[]) => state.transaction(() => heedAnnouncement(state, packs)) }),
  };
}
