/**
 * `syncacross log [PATH] [--author TEXT] [--since WHEN] [--until WHEN]`: the history of the
 * library, or of a file or folder, from local state: when, who (person and machine, once their
 * author object is known; the writer id before that) and what.
 */
import type { HistoryEntry } from '@syncacross/sync-core';
import { findLibraryRoot } from '../config.js';
import { withLibrary } from '../library-session.js';
import { libraryPath } from '../library-path.js';
import { formatBytes, type Output } from '../output.js';

export interface LogOptions {
  dir?: string;
  author?: string;
  since?: string;
  until?: string;
}

const who = (e: HistoryEntry) => (e.author ? `${e.author.user} (${e.author.machine})` : e.writer);

export async function logCommand(path: string | undefined, opts: LogOptions, out: Output): Promise<number> {
  const root = findLibraryRoot(opts.dir ?? '.');
  return withLibrary(root, out, { online: false }, async ({ library }) => {
    const target = path === undefined ? undefined : libraryPath(root, path) || undefined;
    const filter = {
      ...(opts.author !== undefined ? { author: opts.author } : {}),
      ...(opts.since !== undefined ? { since: opts.since } : {}),
      ...(opts.until !== undefined ? { until: opts.until } : {}),
    };
    const entries = library.history(target, filter);
    const filtered = Object.keys(filter).length > 0;
    if (entries.length === 0) out.info(filtered ? 'no version matches' : target === undefined ? 'no history yet: run `syncacross sync`' : `no history for ${target}`);
    const width = Math.min(40, Math.max(0, ...entries.map((e) => who(e).length)));
    for (const e of entries) {
      const what = e.deleted ? 'deleted' : formatBytes(e.size);
      const marks = [e.head ? 'current' : '', e.parents.length > 1 ? `merges ${e.parents.length}` : ''].filter(Boolean).join(', ');
      out.info(`${e.time}  ${e.hash.slice(0, 12)}  ${who(e).padEnd(width)}  ${what.padStart(9)}  ${e.path}${marks ? `  (${marks})` : ''}`);
    }
    out.result({ command: 'log', library: root, path: target ?? null, entries });
    return 0;
  });
}
