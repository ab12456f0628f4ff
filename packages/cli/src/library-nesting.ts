/**
 * A library inside another (`init ~/Library/Papers` where ~/Library is one, or `init ~/Library`
 * where ~/Library/Papers is one): the outer library syncs the inner one's files too, to its own
 * remote (every library's .syncacross folder is left out), so a change made there goes to both
 * remotes. That may be meant (a second copy elsewhere) or not; `init` says so, either way round,
 * and how to leave the folder out of the outer one.
 */
import { existsSync, readdirSync } from 'node:fs';
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

/** Folders looked into for libraries below a new one, at most: a bound on init's time in a huge tree (a walk of folders alone, no file stat'ed). */
const MAX_FOLDERS_LOOKED_AT = 20_000;

/** Libraries below `dir` (their paths relative to it, `/`-separated), the outermost of each branch; links are not followed. */
export function librariesWithin(dir: string): string[] {
  const found: string[] = [];
  const waiting = [''];
  for (let looked = 0; waiting.length > 0 && looked < MAX_FOLDERS_LOOKED_AT; looked++) {
    const rel = waiting.shift()!;
    let entries;
    try {
      entries = readdirSync(join(dir, rel), { withFileTypes: true });
    } catch {
      continue; // unreadable or gone: a sync names it
    }
    if (rel && entries.some((e) => e.name === STATE_FOLDER && e.isDirectory()) && existsSync(join(dir, rel, STATE_FOLDER, 'config.json'))) {
      found.push(rel);
      continue; // what is below it is that library's business
    }
    for (const e of entries) if (e.isDirectory() && e.name !== STATE_FOLDER) waiting.push(rel ? `${rel}/${e.name}` : e.name);
  }
  return found.sort();
}

/** What `init` says of libraries found inside the new library `dir` (the first five named, and in the command). */
export function innerLibrariesNote(dir: string, inner: string[]): string {
  const named = inner.slice(0, 5);
  const which = inner.length === 1 ? `${named[0]} is a library of its own` : `${named.join(', ')}${inner.length > 5 ? ` and ${inner.length - 5} more` : ''} are libraries of their own`;
  const patterns = named.map((rel) => `'${folderPattern(rel)}'`).join(' ');
  return `syncacross: note: ${which}, inside this one, which syncs their files too, to this remote: a change there goes to both. If that is not meant: syncacross exclude add ${patterns} -d ${resolve(dir)}`;
}
