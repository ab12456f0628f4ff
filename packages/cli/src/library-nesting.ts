/**
 * A library inside another (`init ~/Library/Papers` where ~/Library is one): the outer library
 * syncs the inner one's files too, to its own remote (every library's .syncacross folder is left
 * out), so a change made there goes to both remotes. That may be meant (a second copy elsewhere)
 * or not; `init` says so, and how to leave the folder out of the outer one.
 */
import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { STATE_FOLDER } from './config.js';
import { folderPattern } from './remote-in-library.js';

/** The nearest library above `dir`, if any. */
export function enclosingLibrary(dir: string): string | undefined {
  for (let d = dirname(resolve(dir)); ; d = dirname(d)) {
    if (existsSync(join(d, STATE_FOLDER, 'config.json'))) return d;
    if (dirname(d) === d) return undefined;
  }
}

/** What `init` says of a library made inside `outer`. */
export function nestedLibraryNote(outer: string, dir: string): string {
  const pattern = folderPattern(relative(outer, resolve(dir)).split(sep).join('/'));
  return `syncacross: note: this library is inside the library ${outer}, which syncs its files too, to its own remote: a change here goes to both. If that is not meant: syncacross exclude add '${pattern}' -d ${outer}`;
}
