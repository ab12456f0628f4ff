/** `syncacross log [PATH]`: the history of the library, or of one file, from local state. */
import { findLibraryRoot } from '../config.js';
import { withLibrary } from '../library-session.js';
import { libraryPath } from '../library-path.js';
import { formatBytes, type Output } from '../output.js';

export async function logCommand(path: string | undefined, opts: { dir?: string }, out: Output): Promise<number> {
  const root = findLibraryRoot(opts.dir ?? '.');
  return withLibrary(root, out, { online: false }, async ({ library }) => {
    const target = path === undefined ? undefined : libraryPath(root, path) || undefined;
    const entries = library.history(target);
    if (entries.length === 0) out.info(target === undefined ? 'no history yet: run `syncacross sync`' : `no history for ${target}`);
    for (const e of entries) {
      const what = e.deleted ? 'deleted' : formatBytes(e.size);
      const marks = [e.head ? 'current' : '', e.parents.length > 1 ? `merges ${e.parents.length}` : ''].filter(Boolean).join(', ');
      out.info(`${e.time}  ${e.hash.slice(0, 12)}  ${e.writer.padEnd(24)}  ${what.padStart(9)}  ${e.path}${marks ? `  (${marks})` : ''}`);
    }
    out.result({ command: 'log', library: root, path: target ?? null, entries });
    return 0;
  });
}
