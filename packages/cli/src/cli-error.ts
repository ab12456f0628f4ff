/**
 * An error the CLI explains itself: a message for a person and the exit code that scripts read.
 * Errors from the engine and adapters are translated into these in exit-codes.ts.
 */
import type { ExitCode } from './exit-code.js';

/** An error with its exit code and a stable `code`: what the CLI prints (and puts in `--json` output) before exiting. */
export class CliError extends Error {
  constructor(
    /** The code the process exits with. */
    readonly exitCode: ExitCode,
    message: string,
    /** A stable short name for --json output (`UnknownAdapter`, `BadOption`, or the engine/storage code). */
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CliError';
  }
}

export const usageError = (code: string, message: string) => new CliError(2, message, code);
