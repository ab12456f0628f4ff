/**
 * What a library leaves out, in the order it applies (a later pattern wins, gitignore style):
 * the built-in list, `.syncacrossignore` (a file of the library, shared by its nodes), this
 * node's patterns in config.json (`syncacross exclude add`), then the command line's
 * (`--exclude`, `--exclude-from`, then `--include` as `!pattern`). The engine's rules
 * (sync-core local/ignore-rules.ts) say what each kind means for the other nodes.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { usageError } from './cli-error.js';

/** The pattern flags of `sync` and `watch`, as commander collects them. */
export interface PatternOptions {
  exclude?: string[];
  include?: string[];
  excludeFrom?: string[];
}

/** Lines of a gitignore-syntax file that are patterns (no blank lines, no `#` comments). */
const patternLines = (text: string): string[] =>
  text
    .split(/\r?\n/)
    .map((l) => l.trimEnd())
    .filter((l) => l !== '' && !l.startsWith('#'));

/** A pattern as typed: one line, not empty (a newline would smuggle in a second pattern). */
export function checkPattern(pattern: string, source: string): string {
  if (pattern.trim() === '' || /[\r\n]/.test(pattern)) throw usageError('BadPattern', `${source} takes one gitignore pattern (not empty, one line); got ${JSON.stringify(pattern)}`);
  return pattern;
}

/** The command line's patterns, in the order they apply: excludes, files, then includes. */
export async function commandLinePatterns(opts: PatternOptions): Promise<string[]> {
  const fromFiles: string[] = [];
  for (const file of opts.excludeFrom ?? []) {
    try {
      fromFiles.push(...patternLines(await readFile(file, 'utf8')));
    } catch (e) {
      throw usageError('BadOption', `cannot read --exclude-from ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  return [...(opts.exclude ?? []).map((p) => checkPattern(p, '--exclude')), ...fromFiles, ...(opts.include ?? []).map((p) => `!${checkPattern(p, '--include')}`)];
}

/** The patterns of the library's `.syncacrossignore` (none when it has none). */
export async function sharedPatterns(root: string): Promise<string[]> {
  try {
    return patternLines(await readFile(join(root, '.syncacrossignore'), 'utf8'));
  } catch {
    return [];
  }
}
