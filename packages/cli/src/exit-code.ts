/** The exit codes themselves, apart from the mapping (exit-codes.ts), so errors can name them without a cycle. */
/** The process exit codes by name; what each means is `EXIT_MEANINGS` (exit-codes.ts) and the README's table. */
export const EXIT = {
  /** Success. */
  ok: 0,
  /** A bug. */
  unexpected: 1,
  /** Usage or configuration error. */
  usage: 2,
  /** The remote is unreachable or not ready: try again later. */
  unreachable: 3,
  /** Authentication failed. */
  auth: 4,
  /** The remote is not this library's repository. */
  repository: 5,
  /** Another process is syncing the library. */
  busy: 6,
  /** No space left, remote or local. */
  diskFull: 7,
  /** Completed, but some files were not synced. */
  completedWithErrors: 8,
  /** Interrupted (SIGINT or SIGTERM). */
  interrupted: 130,
} as const;
/** One of the exit codes in `EXIT`. */
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
