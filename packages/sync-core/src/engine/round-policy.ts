/**
 * The few decisions of a round where a wrong choice loses data, gathered in one place. Production
 * always runs HONEST_POLICY; the simulation swaps in deliberately broken policies (test/sim) to
 * prove its checker catches each one. There is no public option for this: a policy is passed only
 * through `openLibraryWithPolicy`, exported from `@syncacross/sync-core/testing`.
 */
import type { RetentionPolicy } from '../model/retention.js';
import { pruneVersions, type Pruning } from './retention/prune.js';
import type { LocalState } from '../local/state.js';
import type { HashedVersion } from '../model/version.js';
import { buildTree, type Tree } from './merge.js';
import type { SegmentKey } from './segment-format.js';
import type { ObjectInfo } from '../storage/contract.js';
import { refuseSkew, type StorageClock } from './collection/storage-clock.js';

/** The round's risky decisions (see above); only the simulation passes anything but HONEST_POLICY. */
export interface RoundPolicy {
  /** The tree the folder is made to match, from every known version. */
  mergedTree(versions: HashedVersion[], superseded: ReadonlySet<string>): Tree;
  /**
   * Segments under this node's writer id that its journal does not know: another copy of this
   * node wrote them (restored from a backup, or cloned), and the writer id must be retired.
   */
  foreignSegments(listing: SegmentKey[], writer: string, journaled: Set<string>): SegmentKey[];
  /**
   * Called with each listing of `log/`. What a listing does not show is not taken as gone here:
   * the honest round asks the object itself (pull-remote.ts).
   */
  afterListing(state: Pick<LocalState, 'db' | 'journalKeys'>, listing: SegmentKey[]): void;
  /** Whether the round looks for lost packs when the round state asks it to (`checkPacks`). */
  looksForLostPacks(): boolean;
  /**
   * What a local delete replaces: the version this disk held (never one it did not see), plus the
   * folder entries of a folder that now holds files.
   */
  deleteParents(recorded: string, filledFolderHeads: HashedVersion[], allHeads: () => HashedVersion[]): string[];
  /**
   * Whether a record behind a symbolic link or an unreadable folder is kept as unknown. Taken as
   * gone instead, a folder replaced by a link would be deleted on every other node.
   */
  keepsUnseen(): boolean;
  /** Whether the scan enters symbolic links: never, what a link points to is not the library's. */
  followsLinks(): boolean;
  /**
   * Whether a path this disk cannot hold (a name too long, a link or a file in the way) is
   * reported. Kept quiet, the user believes a file synced that is not on this machine.
   */
  reportsPathErrors(): boolean;
  /**
   * Whether, on a disk that does not tell upper and lower case apart, one spelling of each name is
   * written (the others reported). Writing every spelling puts `Notes.txt` and `notes.txt` into one
   * file, and the scan then publishes the survivor as an edit of the other.
   */
  keepsCaseTwinsApart(): boolean;
  /**
   * The versions a checkpoint carries of those its covered segments taught: all of them (history
   * is kept; only a retention policy may prune, and not yet). A checkpoint of heads alone would
   * make every node that catches up from it lose history other nodes hold.
   */
  checkpointVersions(versions: HashedVersion[]): HashedVersion[];
  /**
   * Retention (§3.11): what a checkpoint, and this node's own state, keep of these versions under a
   * policy. Every head must stay: pruning one loses a file's current content (or brings a deleted
   * one back).
   */
  pruneVersions(versions: HashedVersion[], known: ReadonlySet<string>, policy: RetentionPolicy, asOf: number): Pruning;
  /** Whether a node reads back a few segments of a checkpoint it caught up from (checkpoints/spot-check.ts). */
  checksCheckpoints(): boolean;
  /**
   * Collection (collection/collect.ts): the segments that go, of those listed, given what the
   * checkpoint relied on bundles. Only those: any other segment's content is nowhere else.
   */
  segmentsToCollect(listed: ObjectInfo[], bundled: ReadonlySet<string>): ObjectInfo[];
  /**
   * The clock collection measures ages by: the storage's, measured, refusing to run when this
   * machine's disagrees by minutes. This machine's own would let a skewed clock delete what is
   * younger than the margin.
   */
  collectionClock(measured: StorageClock, localNow: number, storageName: string): StorageClock;
  /** The margin collection keeps, as asked (one that ignores it deletes what a node may be reading). */
  collectionMargin(asked: number): number;
  /**
   * How long a condemned pack waits after its announcement before it is deleted (§3.12): the
   * margin. Deleted sooner, a version a writer deduplicated into it before it learned of the
   * announcement loses its content.
   */
  packMargin(margin: number): number;
  /**
   * Whether a writer deduplicates only against chunks with a location outside every condemned
   * pack (§3.12). Against a condemned pack, a new version points into a pack about to go. (And
   * whether it acts on condemnations at all: rescues content, forgets condemned packs found gone.)
   */
  honoursCondemnations(): boolean;
  /**
   * Whether the segment that condemns a repacked pack publishes where its chunks were copied
   * (§3.12). Unpublished, only the repacking node knows: it reads them back and deletes the pack,
   * and every other node finds them nowhere.
   */
  publishesCopies(): boolean;
}

/** The decisions production makes: the only policy that loses nothing. */
export const HONEST_POLICY: RoundPolicy = {
  mergedTree: (versions, superseded) => buildTree(versions, superseded),
  foreignSegments: (listing, writer, journaled) => listing.filter((k) => k.writer === writer && !journaled.has(k.key)),
  afterListing: () => undefined,
  looksForLostPacks: () => true,
  deleteParents: (recorded, filledFolderHeads) => [...new Set([recorded, ...filledFolderHeads.map((h) => h.hash)])],
  keepsUnseen: () => true,
  followsLinks: () => false,
  reportsPathErrors: () => true,
  keepsCaseTwinsApart: () => true,
  checkpointVersions: (versions) => versions,
  pruneVersions,
  checksCheckpoints: () => true,
  segmentsToCollect: (listed, bundled) => listed.filter((o) => bundled.has(o.key)),
  collectionClock: (measured, _localNow, storageName) => {
    refuseSkew(measured, storageName);
    return measured;
  },
  collectionMargin: (asked) => asked,
  packMargin: (margin) => margin,
  honoursCondemnations: () => true,
  publishesCopies: () => true,
};
