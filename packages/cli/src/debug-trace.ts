/**
 * With SYNCACROSS_DEBUG=1 a failure also prints its stack and the chain of causes (the SDK error
 * under a StorageError, say): what a bug report needs. It goes through the same redaction as
 * every other line, because SDK errors quote URLs and bodies with tokens in them.
 */
import { inspect } from 'node:util';

export function debugTrace(error: unknown, depth = 0): string {
  if (depth > 5) return '';
  if (!(error instanceof Error)) return inspect(error, { depth: 2 });
  const own = error.stack ?? `${error.name}: ${error.message}`;
  const cause = (error as { cause?: unknown }).cause;
  return cause === undefined ? own : `${own}\ncaused by: ${debugTrace(cause, depth + 1)}`;
}

export const debugEnabled = (env: NodeJS.ProcessEnv = process.env) => Boolean(env.SYNCACROSS_DEBUG) && env.SYNCACROSS_DEBUG !== '0';
