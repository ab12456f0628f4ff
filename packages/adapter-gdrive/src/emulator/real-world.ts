/**
 * Real-world modes: what Drive does in practice that its reference pages do not say, each off by
 * default and switched on by an emulator option (and a `--flag` of main.ts), each with its source.
 * They exist so the adapter's tests meet the service users meet, not only the documented one.
 */

export interface RealWorldOptions {
  /**
   * OR-of-parents searches lose results: `'A' in parents or 'B' in parents` answers only some
   * parents' children, with `incompleteSearch: false`. 'all' answers none of them (what rclone
   * documents), 'some' only the children of the first parent named.
   * Source: rclone backend/drive/drive.go `--drive-fast-list-bug-fix` ("(A in parents) or (B in
   * parents) returns nothing sometimes", rclone #3114, #4289,
   * https://issuetracker.google.com/issues/149522397).
   */
  orOfParentsDrops?: 'some' | 'all';
  /**
   * `name = '…'` (and `!=`) compare case-insensitively, as on Drive. Source: rclone
   * backend/drive/drive.go, list(): "Check the case of items is correct since the `=` operator is
   * case insensitive."
   */
  caseInsensitiveNameQueries?: boolean;
  /**
   * The caller is a shared-drive content manager (role `fileOrganizer`): it may trash files
   * (files.update `trashed: true`) but files.delete answers 403 `insufficientFilePermissions`,
   * as it does for a file another account owns. Files marked `ownedByOther` (store.create) refuse
   * both, in every mode. Sources: "Resolve errors" (403 insufficientFilePermissions,
   * https://developers.google.com/workspace/drive/api/guides/handle-errors); shared drive roles
   * (https://support.google.com/a/users/answer/12380484: content managers cannot delete forever).
   */
  contentManager?: boolean;
  /**
   * Bytes one user may upload per 24 h (Drive: 750 GiB, undocumented in the API, stated in
   * https://support.google.com/a/answer/172541). Beyond it uploads answer 403
   * `userRateLimitExceeded` with the short message "User rate limit exceeded.", the text rclone
   * tells apart from ordinary throttling (backend/drive/drive.go shouldRetry,
   * `--drive-stop-on-upload-limit`).
   */
  dailyUploadBytes?: number;
  /**
   * Downloads of one file per 24 h; beyond, `alt=media` answers 403 `downloadQuotaExceeded`
   * ("The download quota for this file has been exceeded."). Source: "Resolve errors"; rclone
   * `--drive-stop-on-download-limit`.
   */
  downloadsPerFilePerDay?: number;
  /**
   * Items one folder other than My Drive's root may hold (Drive: 500,000, trashed items
   * included); a create beyond answers 403 `numChildrenInNonRootLimitExceeded`. Source: "Resolve
   * errors" (https://developers.google.com/workspace/drive/api/guides/handle-errors).
   */
  maxChildrenPerFolder?: number;
}

const DAY_MS = 24 * 3600 * 1000;

/** Per-day counters for the quota modes (fixed 24 h windows from the first use). */
export class DailyQuotas {
  private uploadWindow = { start: -Infinity, bytes: 0 };
  private readonly downloads = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly o: RealWorldOptions,
    private readonly now: () => number,
  ) {}

  /** Counts an upload of `bytes`; false when it would pass the daily cap. */
  upload(bytes: number): boolean {
    if (this.o.dailyUploadBytes === undefined) return true;
    const t = this.now();
    if (t - this.uploadWindow.start >= DAY_MS) this.uploadWindow = { start: t, bytes: 0 };
    if (this.uploadWindow.bytes + bytes > this.o.dailyUploadBytes) return false;
    this.uploadWindow.bytes += bytes;
    return true;
  }

  /** Counts a download of `fileId`; false once the file's daily quota is used up. */
  download(fileId: string): boolean {
    if (this.o.downloadsPerFilePerDay === undefined) return true;
    const t = this.now();
    let w = this.downloads.get(fileId);
    if (!w || t - w.start >= DAY_MS) this.downloads.set(fileId, (w = { start: t, count: 0 }));
    if (w.count >= this.o.downloadsPerFilePerDay) return false;
    w.count++;
    return true;
  }
}
