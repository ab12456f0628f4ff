/** The exit codes themselves, apart from the mapping (exit-codes.ts), so errors can name them without a cycle. */
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
