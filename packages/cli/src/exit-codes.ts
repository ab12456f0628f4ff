/**
 * Documented exit codes (README and `--help`) and the mapping from engine, storage and OS errors
 * to them. The engine and adapters report stable `code`s; we branch on those, never on
 * `instanceof`, so a custom adapter bundling its own copy of sync-core still maps correctly.
 */
import { isStorageError, isSyncError, permanentCause, type SyncError } from '@syncacross/sync-core';
import { CliError } from './cli-error.js';
import { EXIT, type ExitCode } from './exit-code.js';

export { EXIT, type ExitCode } from './exit-code.js';

/**
 * What each code means, word for word as in the README's table (a test compares the two): a
 * script reading the code and a person reading the docs must agree.
 */
export const EXIT_MEANINGS: Readonly<Record<ExitCode, string>> = {
  0: 'success (notices, such as a restored node continuing under a new writer id, do not change it)',
  1: 'unexpected error (a bug: please report it with the message; `SYNCACROSS_DEBUG=1` adds the stack)',
  2: "usage or configuration error: unknown adapter, bad option, missing secret, not a library yet, the library's state damaged",
  3: 'remote unreachable or not ready: network, server errors, unmounted folder, unknown host, throttled past all retries, an answer that was inconsistent for a moment, or remote objects not yet readable as written; sync again later',
  4: 'authentication failed: wrong, expired or revoked credentials',
  5: "the remote is not this library's repository: holds other data, a different repository, or was emptied",
  6: 'the library is being synced by another process',
  7: 'no space left, on the remote or on the local disk',
  8: 'completed with errors: some files were not synced (still being written, removed while scanned, unreadable, a link, a name that is not valid UTF-8 or that this system cannot hold, a deletion held back because most of the library went at once, a mount point not mounted) or remote segments were skipped, or (restore) files were not restored or their content came from this machine because the remote had lost it; see the messages',
  130: 'interrupted (Ctrl-C or SIGTERM); nothing is lost, the next sync resumes',
};

/** The exit codes and their meanings as `--help` prints them. */
export const EXIT_CODE_HELP = `Exit codes:\n${Object.entries(EXIT_MEANINGS)
  .map(([code, meaning]) => `  ${code.padEnd(4)} ${meaning}`)
  .join('\n')}`;

/** The OS or SQLite error code of `e` or of any error in its `cause` chain. */
function errnoCode(e: unknown, depth = 0): string | undefined {
  if (typeof e !== 'object' || e === null || depth > 5) return undefined;
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'string' && /^(E[A-Z]+|SQLITE_[A-Z_]+)$/.test(code)) return code;
  return errnoCode((e as { cause?: unknown }).cause, depth + 1);
}

/** What rejoining the repository with `init` makes of the files already in the library. */
export const REJOINED = 'files that match the remote are adopted, the others become new versions or conflict copies, never deletions';

/** What to do about a damaged state database (state.db): the files and the remote hold what it held. */
const REBUILD_STATE = `Your files are safe. To rebuild the state from the remote, move .syncacross/state.db aside (with its -wal and -shm files, if there) and run \`syncacross init\` on the library again with the same remote (config.json names it, and keeps its options): ${REJOINED}.`;

/** The engine's errors, by code. */
function fromSyncError(error: SyncError, message: string): CliError {
  switch (error.code) {
    case 'LibraryBusy':
      return new CliError(EXIT.busy, message, error.code, { cause: error });
    case 'NotARepository':
    case 'RepositoryMismatch':
    case 'RemoteEmptied':
      return new CliError(EXIT.repository, message, error.code, { cause: error });
    case 'TargetNotEmpty':
      return new CliError(EXIT.usage, `${message} (--overwrite; a restore that was interrupted finishes so)`, error.code, { cause: error });
    case 'NotInitialized':
    case 'InvalidArgument':
    case 'CannotCollect':
    case 'ClockSkew':
    case 'CannotUpgrade':
      return new CliError(EXIT.usage, message, error.code, { cause: error });
    case 'StateDamaged':
      return new CliError(EXIT.usage, `${message}. ${REBUILD_STATE}`, error.code, { cause: error });
    case 'KeyRequired':
      return new CliError(EXIT.auth, `${message}. Give it with SYNCACROSS_PASSWORD, --password-file FILE or --password-command CMD (or run on a terminal to be asked).`, error.code, { cause: error });
    case 'KeyRejected':
      return new CliError(EXIT.auth, message, error.code, { cause: error });
    case 'CorruptRemote':
      return new CliError(EXIT.completedWithErrors, message, error.code, { cause: error });
    case 'Aborted':
      return new CliError(EXIT.interrupted, 'interrupted: nothing is lost; the next sync resumes (a restore finishes when run again with --overwrite)', error.code, { cause: error });
  }
  return new CliError(EXIT.unexpected, message, error.code, { cause: error });
}

/** Turns anything thrown into a CliError with an exit code and a message a person can act on. */
export function toCliError(error: unknown): CliError {
  if (error instanceof CliError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (isSyncError(error)) return fromSyncError(error, message);
  if (isStorageError(error)) {
    switch (error.code) {
      case 'Unavailable':
      case 'RateLimited': {
        const hint = permanentCause(error) === 'ENOTFOUND' ? ". The host name does not resolve: check the remote's address (a typo?) and this machine's network and DNS" : '';
        return new CliError(EXIT.unreachable, `remote unreachable: ${message}${hint}`, error.code, { cause: error });
      }
      case 'AuthFailed':
        return new CliError(
          EXIT.auth,
          `authentication failed: ${message}. Check the credentials (environment variables or \${env:…} references in .syncacross/config.json), or run \`syncacross auth <adapter>\` again.`,
          error.code,
          { cause: error },
        );
      case 'NoSpace':
        return new CliError(EXIT.diskFull, `the remote is full: ${message}. Nothing was lost; free space or raise the quota, then sync again.`, error.code, { cause: error });
      case 'InvalidConfig':
      case 'NotSupported':
        return new CliError(EXIT.usage, message, error.code, { cause: error });
      case 'NotFound':
      case 'PreconditionFailed':
      case 'AlreadyExists':
      case 'Corrupt':
        // Outside the places that expect them (those are handled in the engine), these are a
        // remote answering inconsistently for a moment (a listing ahead of its objects, a mounted
        // share showing a name before its content, a racing writer): the next sync sees it right.
        return new CliError(EXIT.unreachable, `the remote answered inconsistently (nothing was lost; sync again later): ${message}`, error.code, { cause: error });
      default:
        return new CliError(EXIT.unexpected, message, error.code, { cause: error });
    }
  }
  const errno = errnoCode(error);
  if (errno === 'ENOSPC' || errno === 'EDQUOT' || errno === 'SQLITE_FULL') {
    return new CliError(EXIT.diskFull, `the local disk is full: ${message}. Nothing was lost; free some space and sync again.`, 'LocalDiskFull', { cause: error });
  }
  if (errno?.startsWith('SQLITE_CORRUPT') || errno === 'SQLITE_NOTADB') {
    // Met in a round rather than on opening (where the engine says which file): nearly always the state.
    return new CliError(EXIT.usage, `a database is damaged (SQLite: ${message}). If it is the library's state (.syncacross/state.db): ${REBUILD_STATE}`, 'StateDamaged', { cause: error });
  }
  return new CliError(EXIT.unexpected, message, 'Unexpected', { cause: error });
}
