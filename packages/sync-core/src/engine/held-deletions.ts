/**
 * Deletions held back: a round that finds most of the library gone at once does not publish those
 * deletions, since every other node would then delete its copies too. A disk that did not mount,
 * a folder moved aside or a share that is not there look exactly like a person deleting every
 * file; the person can say so (`confirmDeletions`), the missing disk cannot. rclone bisync stops
 * the same way ("Abort on excessive deletes - protects against a failed listing being interpreted
 * as all the files were deleted", its `--max-delete`, default 50 %, and `--force`: rclone's
 * docs/content/bisync.md); here the rest of the round goes on, and only those deletions wait.
 *
 * A file whose content this round adds elsewhere (a rename, a reorganisation into new folders)
 * is not lost, and its deletion is never held back.
 */

import type { HashedVersion } from '../model/version.js';

/** When deletions are held back: at least `atLeast` of them, and at least `share` of the library's records. */
export interface DeletionGuard {
  readonly atLeast: number;
  readonly share: number;
}

export const DEFAULT_DELETION_GUARD: DeletionGuard = { atLeast: 20, share: 0.5 };

/** A file's content as a key: what a renamed file carries to its new path (its size and first chunk). */
export const contentKey = (v: { readonly size: number; readonly chunks: readonly string[] }): string => `${v.size}:${v.chunks[0] ?? ''}`;

/** Whether `lost` deletions of a library of `recorded` files and folders are held back. */
export function holdsBack(guard: DeletionGuard | undefined, lost: number, recorded: number): boolean {
  return guard !== undefined && lost > 0 && lost >= guard.atLeast && lost >= guard.share * recorded;
}

const count = (n: number) => n.toLocaleString('en-US');

/** Why one held deletion was not published (each path's `skipped` reason). */
const heldReason = (lost: number, recorded: number): string =>
  `gone from this disk, its deletion held back: ${count(lost)} of the library's ${count(recorded)} files and folders went at once (see the note)`;

/** What the round says once about them, and how to publish them when they were meant. */
const heldNotice = (lost: number, recorded: number): string =>
  `${count(lost)} of the library's ${count(recorded)} files and folders are gone from this disk at once, as when a disk or a folder is not there (not mounted, moved, renamed): ` +
  'their deletions were not published, and every other node keeps its copies. If the folder should be there, put it back (or bring the files back from the remote: `syncacross restore --in-place`) and sync again. ' +
  'If they were deleted on purpose, run `syncacross sync --confirm-deletions` to delete them everywhere (their versions stay in the history)';

/** Deletions held back: their disk paths, each one's reason, and what is said once of them. */
export interface HeldDeletions {
  readonly paths: ReadonlySet<string>;
  readonly reason: string;
  readonly notice: string;
}

/**
 * The deletions a round holds back, or undefined: among the disk paths `gone` (recorded, not on the
 * disk), every one whose version (`baseOf`) is live and whose content is in none of `readded`
 * (contentKey of the files this scan made versions of), when they are so many (`holdsBack`) in a
 * library of `recorded` records. `guard` undefined: none (confirmed, or off). Only paths are kept:
 * a confirmed deletion of 100,000 files holds no record or version in memory here.
 */
export function heldDeletions(
  gone: readonly string[],
  baseOf: (path: string) => HashedVersion | undefined,
  recorded: number,
  readded: ReadonlySet<string>,
  guard: DeletionGuard | undefined,
): HeldDeletions | undefined {
  if (!guard || gone.length < guard.atLeast) return undefined;
  const lost = gone.filter((path) => {
    const base = baseOf(path);
    return base !== undefined && !base.deleted && (base.kind === 'dir' || !readded.has(contentKey(base)));
  });
  if (!holdsBack(guard, lost.length, recorded)) return undefined;
  return { paths: new Set(lost), reason: heldReason(lost.length, recorded), notice: heldNotice(lost.length, recorded) };
}
