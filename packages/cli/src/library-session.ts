/**
 * Opens an initialized library for a command and always closes it (releasing the lock), so a
 * failing command never leaves the library locked.
 */
import { isSyncError, openLibrary, withTracing, type Library, type Storage } from '@syncacross/sync-core';
import { CliError } from './cli-error.js';
import { EXIT, REJOINED } from './exit-codes.js';
import { traceRequests } from './file-actions-output.js';
import { findLibraryRoot, liveConfig, type LibraryConfig } from './config.js';
import { readEffectiveConfig } from './remote-target.js';
import { loadAdapter, type LoadedAdapter } from './adapter-loader.js';
import type { Output } from './output.js';
import { rememberKey, secretSource, type PassphraseOptions } from './passphrase.js';
import { adapterContext, offlineStorage, openRemote } from './remote.js';
import { folderPattern } from './remote-in-library.js';
import { authorHere } from './machine-settings.js';
import { bandwidthRates, limitBandwidth, type BandwidthRates } from './bandwidth-limit.js';

export interface SessionOptions {
  /** Contact the remote (sync) or only read local state (status, log, conflicts). */
  online: boolean;
  /** Contact the remote but only read: no lock, works beside a running sync (restore --to). Default: !online. */
  readOnly?: boolean;
  retries?: number;
  stableAfterMs?: number;
  /** Bytes the outbox may hold while the remote is unreachable (0: stage nothing); default the engine's. */
  stagingLimitBytes?: number;
  signal?: AbortSignal;
  /** Where an encrypted repository's passphrase comes from (a remembered key is used first). */
  passphrase?: PassphraseOptions;
  /** This run's exclude patterns (the command line's), applied after config.json's. */
  exclude?: readonly string[];
  /** `--bwlimit` (else SYNCACROSS_BWLIMIT applies): bytes of object bodies per second, up and down. */
  bandwidth?: BandwidthRates;
}

export interface Session {
  root: string;
  config: LibraryConfig;
  adapter: LoadedAdapter;
  library: Library;
}

/** A slow or flaky remote should not look like a hang: say what is being retried, and when. */
export function retryNotice(out: Output) {
  return ({ operation, attempt, delayMs, error }: { operation: string; attempt: number; delayMs: number; error: unknown }) =>
    out.progressLine(`remote ${operation} failed: ${(error as Error).message}; retry ${attempt} in ${(delayMs / 1000).toFixed(1)}s`);
}

/**
 * Local-only commands keep working when the adapter cannot be loaded (uninstalled, broken):
 * which options are secret is then unknown, so every option is treated as one.
 */
function unloadableAdapter(config: LibraryConfig, error: unknown, out: Output): LoadedAdapter {
  out.warn(`syncacross: note: ${(error as Error).message}`);
  const unavailable = () => Promise.reject(error);
  return {
    specifier: config.adapter,
    source: config.adapter,
    module: {
      name: config.adapter,
      description: '(not loadable)',
      optionsSchema: { safeParse: () => ({ success: false, error: { issues: [] } }) },
      secretOptions: Object.keys(config.options),
      parseLocation: () => ({}),
      create: unavailable,
    },
  };
}

/**
 * The library has its config.json but no state (state.db deleted, by a cleaner or by hand, say): the
 * engine's "not a syncacross library yet" would send a person to make one; init with the library's
 * own remote rebuilds the state from it instead.
 */
function stateMissing(root: string, config: LibraryConfig, cause: unknown): CliError {
  const message = `${root} has lost its state (.syncacross/state.db is missing; config.json names ${config.remote}). Your files are safe. Run \`syncacross init ${root} --remote ${config.remote}\` to rebuild it from the remote (config.json keeps the remote's options): ${REJOINED}.`;
  return new CliError(EXIT.usage, message, 'NotInitialized', { cause });
}

export async function withLibrary<T>(dirArg: string | undefined, out: Output, options: SessionOptions, fn: (session: Session) => Promise<T>): Promise<T> {
  const root = findLibraryRoot(dirArg ?? '.');
  const config = await readEffectiveConfig(root);
  let adapter: LoadedAdapter;
  let storage: Storage;
  let inLibrary: string | undefined;
  if (options.online) {
    ({ adapter, storage, inLibrary } = await openRemote(
      config,
      root,
      adapterContext((line) => out.warn(line), options.signal),
    ));
    // Innermost, around the adapter: a retried upload pays again, as its bytes go again.
    storage = limitBandwidth(storage, bandwidthRates(options.bandwidth), options.signal);
    // -vv: every request the adapter answers (each retry too), below the engine's retry and counting.
    const trace = traceRequests(out);
    if (trace) storage = withTracing(storage, trace);
  } else {
    adapter = await loadAdapter(config.adapter, [root, process.cwd()]).catch((e: unknown) => unloadableAdapter(config, e, out));
    storage = offlineStorage(config.remote);
  }
  let library: Library;
  try {
    // Who the versions made here are from (published for this node's writer id when it commits).
    const author = options.online && !options.readOnly ? await authorHere(config.node) : undefined;
    // This node's patterns and mount points as config.json says at each round: a running watch takes a change at once.
    const live = liveConfig(root, config);
    library = await openLibrary({
      dir: root,
      storage,
      create: false,
      // Local-only commands read the state beside a running sync (SQLite WAL), without its lock.
      readOnly: options.readOnly ?? !options.online,
      ...(config.node ? { nodeName: config.node } : {}),
      ...(author ? { author } : {}),
      // Only what reads the remote needs the key of an encrypted repository (never a prompt for `status`).
      ...(options.online ? { secret: secretSource(options.passphrase ?? {}, false) } : {}),
      ...(options.stableAfterMs !== undefined ? { stableAfterMs: options.stableAfterMs } : {}),
      // Last, so no pattern brings it back: the remote's own folder, where it is in the library.
      exclude: () => [...(live().exclude ?? []), ...(options.exclude ?? []), ...(inLibrary ? [folderPattern(inLibrary)] : [])],
      mountPoints: () => live().mountPoints ?? [],
      ...(options.stagingLimitBytes !== undefined ? { staging: options.stagingLimitBytes === 0 ? (false as const) : { limitBytes: options.stagingLimitBytes } } : {}),
      retry: { ...(options.retries !== undefined ? { retries: options.retries } : {}), ...(options.signal ? { signal: options.signal } : {}), onRetry: retryNotice(out) },
    });
  } catch (e) {
    await storage.close?.().catch(() => undefined);
    throw isSyncError(e, 'NotInitialized') ? stateMissing(root, config, e) : e;
  }
  try {
    const key = library.unlockedKey();
    if (key) await rememberKey(library.repository, key, options.passphrase ?? {});
    return await fn({ root, config, adapter, library });
  } finally {
    await library.close();
  }
}
