/** Engine errors with stable codes (the CLI maps them to exit codes and messages). */
export const SYNC_ERROR_CODES = [
  'LibraryBusy', // another process owns the library
  'NotARepository', // the remote has data but no syncacross repository
  'RepositoryMismatch', // the remote holds a different repository than this library joined
  'RemoteEmptied', // the library joined a repository that is no longer on the remote
  'NotInitialized', // the library has no .syncacross state yet
  'StateDamaged', // the library's state database (.syncacross/state.db) is damaged or not a database
  'CorruptRemote', // segments or packs failed verification (listed in the message)
  'InvalidArgument', // a value the caller gave cannot be used (a time that cannot be read, an unknown version id)
  'TargetNotEmpty', // a restore would write over files already in its target folder
  'KeyRequired', // the repository is encrypted and no passphrase (or remembered key) was given
  'KeyRejected', // the passphrase or remembered key opens none of the repository's keys
  'CannotCollect', // gc or a retention policy cannot apply here: a repository format before 3 (4 for retention), a storage that cannot delete or shows no times
  'ClockSkew', // gc refused: this machine's clock and the storage's disagree by minutes
  'CannotUpgrade', // upgrade refused: a format-1 repository, or a writer that has been writing does not follow upgrades yet
  'Aborted',
] as const;
/** The stable codes a {@link SyncError} carries. */
export type SyncErrorCode = (typeof SYNC_ERROR_CODES)[number];

/** An engine error with a stable code (the library is busy, the remote holds another repository, a key is needed, …). */
export class SyncError extends Error {
  /** Which one; see {@link SYNC_ERROR_CODES}. */
  readonly code: SyncErrorCode;
  constructor(code: SyncErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SyncError';
    this.code = code;
  }
}

/** Whether `e` is a {@link SyncError} (with `code`, when given), by name rather than `instanceof`, so two copies of sync-core agree. */
export const isSyncError = (e: unknown, code?: SyncErrorCode): e is SyncError =>
  typeof e === 'object' && e !== null && (e as { name?: string }).name === 'SyncError' && (code === undefined || (e as SyncError).code === code);
