/** `Library.status()`: where the library stands, from the local state alone (no request). */
import { pendingVersionCount } from '../local/pending-versions.js';
import type { LocalState } from '../local/state.js';
import type { ConflictCopy } from './library-results.js';
import type { Tree } from './merge.js';
import { outboxTotals, type OutboxTotals } from './outbox/outbox.js';

/** What `syncacross status` prints. */
export interface LibraryStatus {
  /** The repository's id. */
  repository: string;
  /** This node's writer id. */
  writer: string;
  /** The storage's short name for messages (`Storage.name`, e.g. `fs:/mnt/nas/lib`). */
  remote: string;
  /** Entries in the merged tree (files, empty folders and databases), conflict copies not counted. */
  files: number;
  /** The conflict copies in the tree. */
  conflicts: ConflictCopy[];
  /** Versions made here and not yet published in a segment (offline edits, an interrupted round). */
  pendingVersions: number;
  /** Content waiting in the outbox for the remote: staged here, not there yet. */
  staged: OutboxTotals;
  /** Segments journaled here but not yet on the remote: the next sync uploads them first. */
  unuploadedSegments: number;
  /** Keys of remote segments found corrupt and not applied (reported at each sync; read again only if the object changes). */
  corruptSegments: string[];
  /** When the last round completed, ISO; null before the first. */
  lastSync: string | null;
}

export function libraryStatus(
  state: Pick<LocalState, 'db' | 'unuploaded' | 'segmentsIn' | 'round'>,
  tree: Tree,
  who: { repository: string; writer: string; remote: string; stateDir: string },
): LibraryStatus {
  return {
    repository: who.repository,
    writer: who.writer,
    remote: who.remote,
    files: [...tree.values()].filter((e) => !e.conflictOf).length,
    conflicts: [...tree.values()].filter((e) => e.conflictOf).map((e): ConflictCopy => ({ path: e.path, conflictOf: e.conflictOf! })),
    pendingVersions: pendingVersionCount(state.db), // counted, not read: status is asked often, and of large libraries too
    staged: outboxTotals(who.stateDir),
    unuploadedSegments: state.unuploaded().length,
    corruptSegments: state.segmentsIn('corrupt'),
    lastSync: state.round.get('lastSync') ?? null,
  };
}
