/**
 * A one-shot sync takes whatever is on disk when it starts. A file modified moments ago may be
 * in the middle of a write: it is stat'ed again until it stops changing, for a bounded time, and
 * then taken. All such files are watched together, so a thousand fresh files cost one pause, not
 * a thousand. One still changing when the time is up is named with the reason (the CLI exits 8),
 * never left out in silence. A live SQLite database is not waited for: its snapshot through
 * SQLite's backup API is consistent whatever its mtime, and an app may write it all day long.
 */
import { lstatSync } from 'node:fs';
import { join } from 'node:path';
import type { DiskEntry } from '../local/scan.js';
import { looksLikeSqlite } from '../local/sqlite-snapshot.js';
import { checkAborted } from '../model/abort.js';

export interface SettleOptions {
  /** Files modified less than this long ago are watched (0: none). */
  recentMs: number;
  /** Waiting stops once this long has passed (the last quiet interval may run past it). */
  maxWaitMs: number;
  /** A file unchanged over this long has settled (default 300 ms). */
  quietMs?: number;
  signal?: AbortSignal;
}

const QUIET_MS = 300;

/**
 * Waits for the recent files among `entries` to settle, refreshing the stat of those that did
 * (so their records match what was read). Returns the files still changing: diskPath → reason.
 */
export async function settleRecent(root: string, entries: Iterable<DiskEntry>, o: SettleOptions): Promise<Map<string, string>> {
  const started = Date.now();
  const quiet = o.quietMs ?? QUIET_MS;
  const watched = new Map<string, DiskEntry>();
  for (const e of entries) {
    // The real clock, the one the file system stamps mtimes with. A slightly future mtime is as
    // fresh as a past one: Date.now() drops the fraction of a millisecond an mtime keeps (a file
    // written in this millisecond looked "future" and was read mid-write), and a NAS stamps with its
    // own clock, often seconds ahead. Only one far ahead (a wrong clock) is not "being written".
    const age = started - e.mtimeMs;
    if (e.kind !== 'file' || Math.abs(age) >= o.recentMs) continue;
    if (e.hasWal || (e.size >= 100 && (await isSqlite(join(root, e.diskPath))))) continue;
    watched.set(e.diskPath, e);
  }
  while (watched.size > 0 && Date.now() - started < o.maxWaitMs) {
    // Always a whole quiet interval, even when it overruns the wait: a file unchanged over a
    // shorter one has not settled (a last 1 ms check once let a file written every 20 ms through).
    await pause(quiet, o.signal);
    checkAborted(o.signal);
    for (const [diskPath, e] of watched) {
      const s = lstatSync(join(root, diskPath), { throwIfNoEntry: false });
      const settled = !s || (s.size === e.size && s.mtimeMs === e.mtimeMs && s.ino === e.ino);
      if (s) Object.assign(e, { size: s.size, mtimeMs: s.mtimeMs, ctimeMs: s.ctimeMs, ino: s.ino });
      // Gone: the scan decides (a file deleted now is a delete). Unchanged: read it now.
      if (settled) watched.delete(diskPath);
    }
  }
  const waited = ((Date.now() - started) / 1000).toFixed(1);
  return new Map([...watched.keys()].map((p) => [p, `still being written (it changed throughout the ${waited} s this sync waited for it); it is synced once it stops changing`]));
}

async function isSqlite(abs: string): Promise<boolean> {
  try {
    return await looksLikeSqlite(abs);
  } catch {
    return false; // unreadable: the scan reports it
  }
}

/** Sleeps, cut short by an abort (the caller then checks the signal). */
const pause = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
