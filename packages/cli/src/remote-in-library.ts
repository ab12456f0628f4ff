/**
 * A folder remote inside the library it syncs (`init ~/Library --remote fs:~/Library/backup`): each
 * sync copied the repository's newest objects into the repository, and the next sync those again,
 * growing every round (found by hand: three syncs of a one-file library sent 5, 3 and 2 versions).
 * The remote's folder is left out of the sync instead, as this machine's exclude patterns leave a
 * path out (never deleted elsewhere), and `init` says so, and that a copy on the same disk is lost
 * with it. The library's own folder as the remote is refused: there is nothing to leave out.
 */
import { realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { usageError } from './cli-error.js';

/** `path` with its links resolved as far as it exists (a remote's folder may not exist yet). */
function canonical(path: string): string {
  const abs = resolve(path);
  try {
    return realpathSync(abs);
  } catch {
    const parent = dirname(abs);
    return parent === abs ? abs : join(canonical(parent), basename(abs));
  }
}

/**
 * Where the remote's folder lies in the library, as a library path; undefined where the adapter
 * keeps the repository elsewhere than in a folder of this machine, or outside the library. The
 * library's own folder is refused (a usage error).
 */
export function remoteInLibrary(adapterName: string, options: unknown, libraryDir: string): string | undefined {
  const root = (options as { root?: unknown } | undefined)?.root;
  if (adapterName !== 'fs' || typeof root !== 'string') return undefined;
  const rel = relative(canonical(libraryDir), canonical(root));
  if (rel === '') throw usageError('RemoteIsLibrary', `the remote folder ${root} is the library itself: the repository needs a folder of its own, outside the library`);
  if (rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) return undefined;
  return rel.split(sep).join('/');
}

/** The exclude pattern that leaves the folder at library path `rel` out: anchored, gitignore's special characters escaped. */
export function folderPattern(rel: string): string {
  const escape = (name: string) =>
    name
      .replace(/[\\*?[\]]/g, '\\$&')
      .replace(/^[#!]/, '\\$&')
      .replace(/ $/, '\\ ');
  return `/${rel.split('/').map(escape).join('/')}/`;
}
