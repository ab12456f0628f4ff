/**
 * `syncacross restore [PATH…] [--at WHEN] (--to DIR | --in-place) [--overwrite] [-d LIBRARY]`:
 * files, folders or the whole library as they were at WHEN, into another folder or back into the
 * library. `--remote A:LOC [-o …] --to DIR` restores on a machine that has no library yet.
 */
import { passphraseOptions, readPassphrase, type PassphraseOptions } from '../passphrase.js';
import { resolve } from 'node:path';
import { restoreFromRemote, type RestoreOutcome, type SyncSummary } from '@syncacross/sync-core';
import { usageError } from '../cli-error.js';
import { findLibraryRoot } from '../config.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { libraryPath } from '../library-path.js';
import { retryNotice, withLibrary } from '../library-session.js';
import { formatBytes, plural, type Output } from '../output.js';
import { createProgress } from '../progress.js';
import { withInterrupt } from '../interrupt.js';
import { adapterContext } from '../remote.js';
import { resolveRemoteArg } from '../remote-target.js';
import { bandwidthRates, limitBandwidth, type BandwidthRates } from '../bandwidth-limit.js';
import { printNotSynced } from '../not-synced-output.js';

export interface RestoreCliOptions extends PassphraseOptions {
  at?: string;
  to?: string;
  inPlace?: boolean;
  overwrite?: boolean;
  dir?: string;
  remote?: string;
  option?: string[];
  retries?: number;
  bwlimit?: BandwidthRates;
  /** Say what would be restored, and write nothing. */
  dryRun?: boolean;
}

type Outcome = RestoreOutcome & { warnings?: string[]; sync?: SyncSummary };

function describe(o: Outcome, where: string, out: Output): void {
  const bytes = o.restored.reduce((n, f) => n + f.size, 0);
  if (o.dryRun) return describePlan(o, where, bytes, out);
  out.info(`Restored ${`${o.restored.length} ${o.restored.length === 1 ? 'entry' : 'entries'}`} (${formatBytes(bytes)}) as of ${o.at} ${where}`);
  if (o.unchanged.length > 0) out.info(`  already as they were: ${plural(o.unchanged.length, 'file')}`);
  for (const p of o.undeleted) out.info(`  ${p} had been deleted by then: restored what it last held`);
  if (o.sync) out.info(`  synced: ${plural(o.sync.uploaded.versions, 'new version')}; the versions they replace stay in history (syncacross log)`);
  printNotSynced(o.failed, out, 'syncacross: ', 'not restored');
  printFromThisMachine(o.fromThisMachine ?? [], o.sync !== undefined, out);
  if (o.failed.some((f) => f.code === 'ContentUnreadable'))
    out.warn(
      'syncacross: note: what the remote lost or holds damaged comes back from a machine whose files still hold it: `syncacross verify --repair` there uploads it again (this machine too, if it has the library), then restore again',
    );
  for (const w of o.warnings ?? []) out.warn(`syncacross: ${w}`);
  for (const e of o.sync?.errors ?? []) out.warn(`syncacross: ${e}`);
  printNotSynced(o.sync?.skipped ?? [], out);
}

/**
 * Restored, but from this machine's files: the remote could not give their content. The restore is
 * whole; the backup is not, and a restore on another machine would fail: said, and exit 8. In
 * place, the library noted the packs that failed, and its sync looks for them (what it finds lost
 * is uploaded again from here, in its errors below); a restore into another folder only read it.
 */
function printFromThisMachine(paths: string[], inPlace: boolean, out: Output): void {
  if (paths.length === 0) return;
  const named = paths.slice(0, 3).join(', ') + (paths.length > 3 ? ` and ${paths.length - 3} more` : '');
  const repair = inPlace
    ? "this library's syncs now look for what the remote lost and upload it again from here (`syncacross verify --repair` does it at once)"
    : 'the remote still lacks it: `syncacross verify --repair` uploads it again';
  out.warn(
    `syncacross: the remote could not give the content of ${plural(paths.length, 'file')} (${named}): a lost or damaged pack. Restored from this library's own files instead, checked against the content's hashes; ${repair}`,
  );
}

/** --dry-run: every path, as `sync --dry-run` lists them, then the totals; nothing was written. */
function describePlan(o: Outcome, where: string, bytes: number, out: Output): void {
  for (const f of o.restored) out.info(`  would restore  ${f.path}${f.size > 0 ? ` (${formatBytes(f.size)})` : ''}`);
  for (const p of o.unchanged) out.info(`  already so     ${p}`);
  out.info(`Would restore ${o.restored.length} ${o.restored.length === 1 ? 'entry' : 'entries'} (${formatBytes(bytes)}) as of ${o.at} ${where}; nothing was written (--dry-run)`);
  for (const p of o.undeleted) out.info(`  ${p} had been deleted by then: what it last held would be restored`);
  printNotSynced(o.failed, out, 'syncacross: ', 'would not restore');
  for (const w of o.warnings ?? []) out.warn(`syncacross: ${w}`);
}

/** Anything not restored, restored content not synced, or content the remote lost, is not a clean restore. */
function exitCodeOf(o: Outcome): ExitCode {
  if ((o.sync?.retryable.length ?? 0) > 0) return EXIT.unreachable;
  const troubles = o.failed.length + (o.fromThisMachine?.length ?? 0) + (o.warnings?.length ?? 0) + (o.sync ? o.sync.errors.length + o.sync.skipped.length : 0);
  return troubles > 0 ? EXIT.completedWithErrors : EXIT.ok;
}

export async function restoreCommand(paths: string[], opts: RestoreCliOptions, out: Output): Promise<number> {
  if ((opts.to === undefined) === (opts.inPlace !== true)) throw usageError('BadOption', 'restore needs one of --to DIR (write into another folder) or --in-place (bring back into the library)');
  if (opts.remote && opts.inPlace) throw usageError('BadOption', '--in-place restores into a library; with --remote, restore --to a folder (then `syncacross init` it)');
  return withInterrupt('restore', async (signal) => {
    const outcome = opts.remote ? await restoreWithoutLibrary(paths, opts, out, signal) : await restoreInLibrary(paths, opts, out, signal);
    const exitCode = exitCodeOf(outcome);
    out.result({ command: 'restore', ...(opts.remote ? { remote: opts.remote } : {}), ...(opts.to ? { to: resolve(opts.to) } : { inPlace: true }), exitCode, ...outcome });
    return exitCode;
  });
}

async function restoreInLibrary(paths: string[], opts: RestoreCliOptions, out: Output, signal: AbortSignal): Promise<Outcome> {
  const root = findLibraryRoot(opts.dir ?? '.');
  // Into another folder, only reads: no lock, so it works beside a running sync.
  const session = {
    online: true,
    readOnly: opts.inPlace !== true,
    signal,
    passphrase: passphraseOptions(opts),
    ...(opts.bwlimit ? { bandwidth: opts.bwlimit } : {}),
    ...(opts.retries !== undefined ? { retries: opts.retries } : {}),
  };
  return withLibrary(root, out, session, async ({ library }) => {
    const progress = createProgress(out, () => library.storage.stats.bytesDown + library.storage.stats.bytesUp);
    try {
      const outcome = await library.restore({
        paths: paths.map((p) => libraryPath(root, p)),
        ...(opts.at ? { at: opts.at } : {}),
        ...(opts.to !== undefined ? { to: resolve(opts.to) } : { inPlace: true }),
        overwrite: opts.overwrite === true,
        dryRun: opts.dryRun === true,
        signal,
        onProgress: (p) => progress.update(p),
      });
      progress.stop();
      describe(outcome, opts.to !== undefined ? `into ${resolve(opts.to)}` : `in ${root}`, out);
      return outcome;
    } finally {
      progress.stop();
    }
  });
}

async function restoreWithoutLibrary(paths: string[], opts: RestoreCliOptions, out: Output, signal: AbortSignal): Promise<Outcome> {
  const to = resolve(opts.to!);
  const { adapter, options } = await resolveRemoteArg(opts.remote!, opts.option ?? [], [process.cwd()]);
  const storage = limitBandwidth(
    await adapter.module.create(
      options,
      adapterContext((line) => out.warn(line), signal),
    ),
    bandwidthRates(opts.bwlimit),
    signal,
  );
  let bytes = 0;
  const progress = createProgress(out, () => bytes);
  try {
    const outcome = await restoreFromRemote({
      storage,
      paths: paths.map((p) => p.split('\\').join('/').replace(/^\.\//, '')),
      ...(opts.at ? { at: opts.at } : {}),
      to,
      overwrite: opts.overwrite === true,
      dryRun: opts.dryRun === true,
      signal,
      passphrase: async (repo: string) => readPassphrase(passphraseOptions(opts), `passphrase of repository ${repo.slice(0, 8)}`, false),
      retry: { ...(opts.retries !== undefined ? { retries: opts.retries } : {}), signal, onRetry: retryNotice(out) },
      onProgress: (p) => {
        bytes = p.bytes;
        progress.update(p);
      },
    });
    progress.stop();
    describe(outcome, `from ${opts.remote} into ${to}`, out);
    if (outcome.failed.length === 0 && (outcome.warnings?.length ?? 0) === 0) out.info(`Next, to keep it in sync: syncacross init ${to} --remote ${opts.remote}`);
    return outcome;
  } finally {
    progress.stop();
    await storage.close?.().catch(() => undefined);
  }
}
