/** `syncacross ls [PATH] [--at WHEN] [--deleted] [-d DIR]`: the tree as it was at a moment, from local state. */
import { findLibraryRoot } from '../config.js';
import { libraryPath } from '../library-path.js';
import { withLibrary } from '../library-session.js';
import { formatBytes, type Output } from '../output.js';

export interface LsOptions {
  at?: string;
  deleted?: boolean;
  dir?: string;
}

export async function lsCommand(path: string | undefined, opts: LsOptions, out: Output): Promise<number> {
  const root = findLibraryRoot(opts.dir ?? '.');
  return withLibrary(root, out, { online: false }, async ({ library }) => {
    const target = path === undefined ? '' : libraryPath(root, path);
    const at = library.pointInTime(opts.at);
    const entries = library.list({ ...(opts.at ? { at: opts.at } : {}), path: target, deleted: opts.deleted === true });
    if (entries.length === 0)
      out.info(`nothing ${target ? `at ${target} ` : ''}at ${new Date(at.time).toISOString()}${historyStartsAfter(library.history(target || undefined), at.latest ? Infinity : at.time)}`);
    for (const e of entries) {
      const size = e.kind === 'dir' ? 'folder' : formatBytes(e.size);
      const marks = [e.conflictOf ? `conflict copy of ${e.conflictOf}` : '', e.deleted ? `deleted ${e.deleted.at} by ${e.deleted.by}` : ''].filter(Boolean).join(', ');
      out.info(`${e.mtime.slice(0, 19).replace('T', ' ')}  ${size.padStart(9)}  ${e.writer.padEnd(24)}  ${e.path}${e.kind === 'dir' ? '/' : ''}${marks ? `  (${marks})` : ''}`);
    }
    out.result({ command: 'ls', library: root, path: target, at: new Date(at.time).toISOString(), entries });
    return 0;
  });
}

/** Said of an empty listing at a moment before the first version (of the path): when its history starts (never of "now", which takes every version). */
function historyStartsAfter(history: readonly { time: string }[], at: number): string {
  const first = history[0]?.time;
  if (first === undefined) return ' (no version of it is known)';
  return Date.parse(first) > at ? ` (its history starts at ${first})` : '';
}
