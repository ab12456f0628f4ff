/**
 * Documented exit codes (README and `--help`) and the mapping from engine, storage and OS errors
 * to them. The engine and adapters report stable `code`s; we branch on those, never on
 * `instanceof`, so a custom adapter bundling its own copy of sync-core still maps correctly.
 */
import { isStorageError, isSyncError } from '@syncacross/sync-core';
import { CliError } from './cli-error.js';

export const EXIT = {
  ok: 0,
  unexpected: 1,
  usage: 2,
  unreachable: 3,
  auth: 4,
  repository: 5,
  busy: 6,
  diskFull: 7,
  completedWithErrors: 8,
  interrupted: 130,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export const EXIT_CODE_HELP = `Exit codes:
  0    success
  1    unexpected error (a bug: please report it with the message)
  2    usage or configuration error (unknown adapter, bad option, not a library yet)
  3    remote unreachable or not ready (network, server errors, unmounted folder, throttled past all
       retries, or remote objects not yet readable as written): retry later
  4    authentication failed (wrong, expired or revoked credentials)
  5    the remote is not this library's repository (not a syncacross repository, a different one, or emptied)
  6    the library is being synced by another process
  7    no space left (on the remote or on the local disk)
  8    completed with errors (some files or remote segments were skipped: see the messages)
  130  interrupted (Ctrl-C); nothing is lost, the next sync resumes`;

/** The OS or SQLite error code of `e` or of any error in its `cause` chain. */
function errnoCode(e: unknown, depth = 0): string | undefined {
  if (typeof e !== 'object' || e === null || depth > 5) return undefined;
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'string' && /^(E[A-Z]+|SQLITE_[A-Z_]+)$/.test(code)) return code;
  return errnoCode((e as { cause?: unknown }).cause, depth + 1);
}

/** Turns anything thrown into a CliError with an exit code and a message a person can act on. */
export function toCliError(error: unknown): CliError {
  if (error instanceof CliError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (isSyncError(error)) {
    switch (error.code) {
      case 'LibraryBusy':
        return new CliError(EXIT.busy, message, error.code, { cause: error });
      case 'NotARepository':
      case 'RepositoryMismatch':
      case 'RemoteEmptied':
        return new CliError(EXIT.repository, message, error.code, { cause: error });
      case 'NotInitialized':
        return new CliError(EXIT.usage, message, error.code, { cause: error });
      case 'CorruptRemote':
        return new CliError(EXIT.completedWithErrors, message, error.code, { cause: error });
      case 'Aborted':
        return new CliError(EXIT.interrupted, 'interrupted: nothing is lost, the next sync resumes', error.code, { cause: error });
    }
  }
  if (isStorageError(error)) {
    switch (error.code) {
      case 'Unavailable':
      case 'RateLimited':
        return new CliError(EXIT.unreachable, `remote unreachable: ${message}`, error.code, { cause: error });
      case 'AuthFailed':
        return new CliError(EXIT.auth, `authentication failed: ${message}. Check the credentials (environment variables or \${env:…} references in .syncacross/config.json), or run \`syncacross auth <adapter>\` again.`, error.code, { cause: error });
      case 'NoSpace':
        return new CliError(EXIT.diskFull, `the remote is full: ${message}. Nothing was lost; free space or raise the quota, then sync again.`, error.code, { cause: error });
      case 'InvalidConfig':
      case 'NotSupported':
        return new CliError(EXIT.usage, message, error.code, { cause: error });
      default:
        return new CliError(EXIT.unexpected, message, error.code, { cause: error });
    }
  }
  const errno = errnoCode(error);
  if (errno === 'ENOSPC' || errno === 'EDQUOT' || errno === 'SQLITE_FULL') {
    return new CliError(EXIT.diskFull, `the local disk is full: ${message}. Nothing was lost; free some space and sync again.`, 'LocalDiskFull', { cause: error });
  }
  return new CliError(EXIT.unexpected, message, 'Unexpected', { cause: error });
}
