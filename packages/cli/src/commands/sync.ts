/** `syncacross sync [DIR]`: one sync round, with progress and a summary (or --json). */
import { passphraseOptions, type PassphraseOptions } from '../passphrase.js';
import { SyncError, type SyncErrorCode, type SyncSummary } from '@syncacross/sync-core';
import { findLibraryRoot } from '../config.js';
import { askWatcher, type WatchAnswer } from '../watch-socket.js';
import { EXIT } from '../exit-codes.js';
import { withLibrary } from '../library-session.js';
import { parseByteSize } from '../byte-size.js';
import { formatBytes, plural, type Output } from '../output.js';
import { createProgress } from '../progress.js';
import { withInterrupt } from '../interrupt.js';
import type { BandwidthRates } from '../bandwidth-limit.js';
import { commandLinePatterns, type PatternOptions } from '../exclude-patterns.js';
import { describeExcluded } from '../excluded-summary.js';
import { printFileActions } from '../file-actions-output.js';
import { printNotSynced } from '../not-synced-output.js';

export interface SyncOptions extends PassphraseOptions, PatternOptions {
  bwlimit?: BandwidthRates;
  retries?: number;
  stableAfter?: number;
  /** The outbox's size limit while the remote is unreachable (`500M`; 0: stage nothing). */
  stagingLimit?: string;
  /** Say what a sync would do, and change nothing. */
  dryRun?: boolean;
  /** Publish the local deletions a round holds back as too many at once (held-deletions.ts). */
  confirmDeletions?: boolean;
}

function describe(s: SyncSummary, root: string, storage: string, out: Output): void {
  const seconds = (s.durationMs / 1000).toFixed(1);
  if (s.dryRun) out.info(`Dry run (nothing was changed): a sync of ${root} with ${storage} would do this (planned in ${seconds}s)`);
  else out.info(`Synced ${root} with ${storage} in ${seconds}s`);
  // Each path: always in a dry run (it is the answer), with -v after a real one.
  if (s.dryRun || out.verbose > 0) printFileActions(s.files, out);
  const [sent, received] = s.dryRun ? ['send:    ', 'receive: '] : ['sent:    ', 'received:'];
  out.info(
    `  ${sent} ${s.local.added} added, ${s.local.changed} changed, ${s.local.deleted} deleted (${plural(s.uploaded.versions, 'version')}, ${plural(s.uploaded.packs, 'pack')}, ${formatBytes(s.uploaded.bytes)})`,
  );
  out.info(`  ${received} ${s.remote.added} added, ${s.remote.changed} changed, ${s.remote.deleted} deleted (${plural(s.downloaded.files, 'file')}, ${formatBytes(s.downloaded.bytes)})`);
  const kinds = Object.entries(s.requests)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  out.info(`  requests: ${s.totalRequests}${kinds ? ` (${kinds})` : ''}, ${formatBytes(s.bytesUp)} up, ${formatBytes(s.bytesDown)} down`);
  if (s.conflicts.length > 0) {
    out.info(`  conflict copies (${s.conflicts.length}): ${s.conflicts.join(', ')}`);
    out.info('  see `syncacross conflicts` for how to resolve them');
  }
  describeExcluded(s, out);
  if (s.retiredWriter) out.info(`  this node now writes as ${s.writer} (was ${s.retiredWriter})`);
  for (const e of s.errors) out.warn(`syncacross: ${e}`);
  // On stderr, like errors: a file that was not synced makes the exit code 8, even under --quiet.
  printNotSynced(s.skipped, out);
  // After the paths: a note may say what to do about them (deletions held back).
  for (const n of s.notices) out.warn(`syncacross: note: ${n}`);
  for (const e of s.retryable) out.warn(`syncacross: not yet: ${e}`);
}

/** The exit code a round's summary gives: retryable 3, errors or skipped files 8, else 0. */
function summaryExitCode(summary: SyncSummary): number {
  // Something to retry means the folder is not in sync yet: a script must not read it as done.
  // Otherwise whatever was on disk is synced, or named and the exit code says so (a notice
  // changes nothing).
  return summary.retryable.length > 0 ? EXIT.unreachable : summary.errors.length > 0 || summary.skipped.length > 0 ? EXIT.completedWithErrors : EXIT.ok;
}

/** The round a running watch made for this `sync`, reported as if this process had made it. */
function reportWatchAnswer(answer: WatchAnswer, root: string, out: Output): number {
  if ('error' in answer) throw new SyncError(answer.error.code as SyncErrorCode, `the running \`syncacross watch\` of ${root} could not sync: ${answer.error.message}`);
  const exitCode = summaryExitCode(answer.summary);
  out.info(`(a \`syncacross watch\` of ${root} is running: it made this round)`);
  describe(answer.summary, root, answer.storage, out);
  out.result({ command: 'sync', library: root, storage: answer.storage, exitCode, ...answer.summary });
  return exitCode;
}

export async function syncCommand(dir: string | undefined, opts: SyncOptions, out: Output): Promise<number> {
  return withInterrupt('sync', async (signal) => {
    // A running `watch` owns the library: ask it for a round rather than fail as busy.
    // Not a dry run: the watch would make a real round.
    const root = findLibraryRoot(dir ?? '.');
    const answer = opts.dryRun ? undefined : await askWatcher(root, signal, opts.confirmDeletions === true);
    if (answer) {
      if (opts.exclude || opts.include || opts.excludeFrom || opts.bwlimit)
        out.warn('syncacross: note: --exclude, --include and --bwlimit apply to a sync this process makes; the running watch used its own');
      return reportWatchAnswer(answer, root, out);
    }
    const session = {
      exclude: await commandLinePatterns(opts),
      ...(opts.bwlimit ? { bandwidth: opts.bwlimit } : {}),
      online: true,
      signal,
      passphrase: passphraseOptions(opts),
      ...(opts.retries !== undefined ? { retries: opts.retries } : {}),
      ...(opts.stableAfter !== undefined ? { stableAfterMs: opts.stableAfter } : {}),
      ...(opts.stagingLimit !== undefined ? { stagingLimitBytes: parseByteSize('--staging-limit', opts.stagingLimit) } : {}),
    };
    return withLibrary(dir, out, session, async ({ root, library }) => {
      const progress = createProgress(out, () => library.storage.stats.bytesUp + library.storage.stats.bytesDown);
      let summary: SyncSummary;
      try {
        summary = await library.sync({ signal, onProgress: (p) => progress.update(p), dryRun: opts.dryRun === true, confirmDeletions: opts.confirmDeletions === true });
      } finally {
        progress.stop();
      }
      const exitCode = summaryExitCode(summary);
      describe(summary, root, library.storage.name, out);
      out.result({ command: 'sync', library: root, storage: library.storage.name, exitCode, ...summary });
      return exitCode;
    });
  });
}
