/**
 * `syncacross watch [DIR…]`: keeps one or more libraries in sync until stopped (Ctrl-C or
 * SIGTERM, exit 0: the round under way is abandoned safely and resumes next time). A round starts
 * when a local change settles, or when a look at the remote every `--interval` seconds (default
 * 60; 5 for a folder remote, where a look is cheap; 15 where the backend's change feed makes a
 * look one small request), or its long poll, shows news, with back-off while the remote is
 * unreachable (engine/watch.ts). One line per round that
 * did something (or one JSON object per round with --json); `sync` meanwhile asks this process
 * for a round (watch-socket.ts) and `status`, `log`, `ls`, `conflicts` read the state beside it.
 */
import type { SyncSummary } from '@syncacross/sync-core';
import { distinctLibraryRoots } from '../config.js';
import { passphraseOptions, type PassphraseOptions } from '../passphrase.js';
import { usageError } from '../cli-error.js';
import { EXIT } from '../exit-codes.js';
import { withLibrary } from '../library-session.js';
import { parseByteSize } from '../byte-size.js';
import { plural, type Output } from '../output.js';
import { serveWatchSocket } from '../watch-socket.js';
import { printNotSynced } from '../not-synced-output.js';
import { stillLine, WatchRepeats } from '../watch-repeats.js';
import type { BandwidthRates } from '../bandwidth-limit.js';
import { commandLinePatterns, type PatternOptions } from '../exclude-patterns.js';
import { printFileActions } from '../file-actions-output.js';

export interface WatchCliOptions extends PassphraseOptions, PatternOptions {
  bwlimit?: BandwidthRates;
  /** Seconds between looks at the remote when nothing changes here. */
  interval?: number;
  /** Milliseconds a change must be quiet before a round takes it. */
  settle?: number;
  retries?: number;
  /** The outbox's size limit while the remote is unreachable (`500M`; 0: stage nothing). */
  stagingLimit?: string;
}

const time = () => new Date().toISOString().slice(11, 19);

function roundLine(root: string, s: SyncSummary): string | undefined {
  const sent = s.local.added + s.local.changed + s.local.deleted;
  const received = s.remote.added + s.remote.changed + s.remote.deleted;
  if (sent === 0 && received === 0 && s.conflicts.length === 0) return undefined;
  const conflicts = s.conflicts.length > 0 ? `, ${s.conflicts.length} conflict cop${s.conflicts.length === 1 ? 'y' : 'ies'}` : '';
  return `${time()} ${root}: sent ${plural(sent, 'change')}, received ${plural(received, 'change')}${conflicts}`;
}

export async function watchCommand(dirs: string[], opts: WatchCliOptions, out: Output): Promise<number> {
  if (opts.interval !== undefined && !(opts.interval > 0)) throw usageError('BadOption', '--interval takes a number of seconds above 0');
  const stop = new AbortController();
  const onSignal = () => stop.abort(new Error('watch stopped'));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    await Promise.all(distinctLibraryRoots(dirs).map((dir) => watchOne(dir, opts, out, stop.signal)));
    return EXIT.ok;
  } catch (e) {
    stop.abort(e); // one library failing to open stops the others: the user asked for all of them
    throw e;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/**
 * Seconds between looks at the remote unless `--interval` says: a folder is cheap to list; a
 * cloud with a delta feed (Graph, Drive) answers a look with one small request, so it is asked
 * every 15 s; any other cloud (a listing of every segment per look) once a minute. A long poll
 * (Dropbox) tells of changes as they happen: the interval only paces looks while it is down.
 */
function defaultIntervalS(adapter: string, feed: 'wait' | 'poll' | undefined): number {
  if (adapter === 'fs') return 5;
  return feed === 'poll' ? 15 : 60;
}

async function watchOne(dir: string, opts: WatchCliOptions, out: Output, signal: AbortSignal): Promise<void> {
  const session = {
    online: true,
    signal,
    passphrase: passphraseOptions(opts),
    exclude: await commandLinePatterns(opts),
    ...(opts.bwlimit ? { bandwidth: opts.bwlimit } : {}),
    ...(opts.retries !== undefined ? { retries: opts.retries } : {}),
    ...(opts.stagingLimit !== undefined ? { stagingLimitBytes: parseByteSize('--staging-limit', opts.stagingLimit) } : {}),
  };
  await withLibrary(dir, out, session, async ({ root, adapter, library }) => {
    const feed = library.storage.changeFeed?.mode;
    const intervalMs = (opts.interval ?? defaultIntervalS(adapter.module.name, feed)) * 1000;
    const storage = library.storage.name;
    const remote = feed === 'wait' ? "the remote's changes as they happen" : `the remote every ${intervalMs / 1000}s${feed === 'poll' ? ' through its change feed' : ''}`;
    out.info(`${time()} watching ${root} (${storage}; ${remote}, local changes as they settle); Ctrl-C stops`);
    const repeats = new WatchRepeats();
    const { done, trigger } = library.watch({
      signal,
      intervalMs,
      // While the remote is unreachable: a NAS plugged back in is seen within half a minute; a
      // cloud that throttles is asked at most every five.
      maxBackoffMs: Math.min(300_000, Math.max(30_000, 6 * intervalMs)),
      ...(opts.settle !== undefined ? { settleMs: opts.settle } : {}),
      onNotice: (message) => out.warn(`${time()} syncacross: ${root}: note: ${message}`),
      onRound: (r) => {
        if ('error' in r) return out.warn(`${time()} syncacross: ${root}: ${r.error.message}; trying again later`);
        const s = r.summary;
        const exitCode = s.retryable.length > 0 ? EXIT.unreachable : s.errors.length > 0 || s.skipped.length > 0 ? EXIT.completedWithErrors : EXIT.ok;
        out.result({ command: 'watch', library: root, storage, exitCode, ...s });
        const line = roundLine(root, s);
        if (line) out.info(line);
        if (out.verbose > 0) printFileActions(s.files, out);
        for (const e of s.errors) out.warn(`${time()} syncacross: ${root}: ${e}`);
        // What still holds from earlier rounds is said again hourly, not at every round (watch-repeats.ts).
        const echo = out.verbose > 0 ? undefined : repeats.round(s);
        if (!echo || echo.skippedInFull) printNotSynced(s.skipped, out, `${time()} syncacross: ${root}: `);
        for (const n of echo?.notices ?? s.notices) out.warn(`${time()} syncacross: ${root}: note: ${n}`);
        const still = echo && stillLine(echo, s.skipped.length, (ms) => new Date(ms).toISOString().slice(11, 19));
        if (still) out.warn(`${time()} syncacross: ${root}: ${still}`);
        for (const e of s.retryable) out.warn(`${time()} syncacross: ${root}: not yet: ${e}`);
      },
    });
    const server = await serveWatchSocket(root, storage, trigger).catch((e: Error) => {
      out.warn(`syncacross: note: ${root}: \`sync\` cannot reach this watch (${e.message}); it will say the library is busy`);
      return undefined;
    });
    try {
      await done;
    } finally {
      server?.close();
    }
    out.info(`${time()} stopped watching ${root}`);
  });
}
