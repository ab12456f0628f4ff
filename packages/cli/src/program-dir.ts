/**
 * The library as `-d, --dir` beside a command's `[dir]` argument. `log`, `ls`, `restore`, `key` and
 * `exclude` take the library as `-d` (their arguments are paths inside it); a user who learned it
 * there typed `syncacross sync -d ~/Library` and got "unknown option '-d'". Either way works now.
 */
import { resolve } from 'node:path';
import { Option } from 'commander';
import { usageError } from './cli-error.js';

/** `-d` where a command's arguments are paths inside the library (log, ls, restore, key, exclude). */
export const libraryDirOption = () => new Option('-d, --dir <dir>', 'the library (default: the one containing the current directory)');

/** `-d` beside a `[dir]` argument (oneDir takes either). */
export const dirOption = () => new Option('-d, --dir <dir>', 'the library, as DIR');

/** The library DIR names, given as the argument or as -d; two different ones are refused. */
export function oneDir(dir: string | undefined, opts: { dir?: string }): string | undefined {
  if (dir !== undefined && opts.dir !== undefined && resolve(dir) !== resolve(opts.dir))
    throw usageError('BadOption', `two libraries given: ${dir} and -d ${opts.dir}; give one (as DIR or as -d, not both)`);
  return dir ?? opts.dir;
}

/** `-d` beside a `[dirs...]` argument (watch, service): repeatable, each a library as one of DIRS. */
export const dirsOption = () => new Option('-d, --dir <dir>', 'a library, as DIRS (repeatable)').argParser((dir: string, given: string[] = []) => [...given, dir]);

/** The libraries DIRS and every -d name, in that order. */
export const allDirs = (dirs: string[], opts: { dir?: string[] }): string[] => [...dirs, ...(opts.dir ?? [])];
