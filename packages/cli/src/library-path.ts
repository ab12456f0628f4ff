/** Paths typed on the command line, turned into library paths (relative, forward slashes). */
import { isAbsolute, relative, resolve, sep } from 'node:path';

/** A PATH that lies inside the library (as typed from the cwd) becomes a library path; otherwise it is one already. */
export function libraryPath(root: string, path: string): string {
  const rel = relative(root, resolve(path));
  if (rel !== '' && !rel.startsWith('..') && !isAbsolute(rel)) return rel.split(sep).join('/');
  if (rel === '') return '';
  return path.split(sep).join('/').replace(/^\.\//, '');
}
