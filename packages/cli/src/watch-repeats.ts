/**
 * What a running `watch` already said. A state that lasts (a disk not mounted for a week, a
 * library's deletions held back until someone confirms them, a file it cannot read) made every
 * round print the same ten paths and the same note: a watch run as a service rounds at every edit,
 * and its log filled with them. The same lines are now said in full when they first appear, when
 * they change, and once an hour; between, a round says in one line that they still hold.
 * `-v` and `--json` always carry all of it.
 */
import { createHash } from 'node:crypto';
import type { SyncSummary } from '@syncacross/sync-core';

/** How often lines that have not changed are said again in full. */
export const SAY_AGAIN_AFTER_MS = 60 * 60_000;

/** What to print of one round's `skipped` and `notices`. */
export interface RoundEcho {
  /** Print `skipped` in full (else: `sameAsAt` says when it last was). */
  skippedInFull: boolean;
  /** When the same paths and reasons were last printed in full, when they were not now. */
  sameAsAt?: number;
  /** The notices to print (one said in the last hour is left out, and counted). */
  notices: string[];
  /** Notices left out: said already. */
  noticesRepeated: number;
}

export class WatchRepeats {
  private skippedKey = '';
  private skippedSaidAt = 0;
  private readonly noticesSaidAt = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  /** What of this round to print; remembers what it says is printed. */
  round(summary: Pick<SyncSummary, 'skipped' | 'notices'>): RoundEcho {
    const at = this.now();
    const key = summary.skipped.length === 0 ? '' : digest(JSON.stringify(summary.skipped));
    const skippedInFull = key === '' || key !== this.skippedKey || at - this.skippedSaidAt >= SAY_AGAIN_AFTER_MS; // '': nothing to say
    const echo: RoundEcho = { skippedInFull, notices: [], noticesRepeated: 0 };
    if (skippedInFull) [this.skippedKey, this.skippedSaidAt] = [key, at];
    else echo.sameAsAt = this.skippedSaidAt;
    const seen = new Set(summary.notices);
    for (const said of [...this.noticesSaidAt.keys()]) if (!seen.has(said)) this.noticesSaidAt.delete(said); // gone, then back: said again
    for (const notice of seen) {
      const said = this.noticesSaidAt.get(notice);
      if (said !== undefined && at - said < SAY_AGAIN_AFTER_MS) echo.noticesRepeated++;
      else {
        echo.notices.push(notice);
        this.noticesSaidAt.set(notice, at);
      }
    }
    return echo;
  }
}

const digest = (text: string) => createHash('sha256').update(text).digest('hex');

/** The one line a round prints instead of lines that still hold, or undefined when it printed them all. */
export function stillLine(echo: RoundEcho, skipped: number, at: (ms: number) => string): string | undefined {
  const parts = [
    echo.sameAsAt !== undefined ? `${skipped.toLocaleString('en-US')} path(s) not synced, for the reasons said at ${at(echo.sameAsAt)}` : '',
    echo.noticesRepeated > 0 ? `${echo.noticesRepeated} note(s) said before` : '',
  ];
  const said = parts.filter((p) => p !== '');
  return said.length === 0 ? undefined : `still: ${said.join('; ')} (said again each hour; -v says all of it every round)`;
}
