/** The history `Library.history` and `syncacross log` show: versions with their authors, filtered. */
import { supersededOf } from '../local/superseded-table.js';
import { AuthorsTable } from '../local/authors-table.js';
import type { LocalState } from '../local/state.js';
import type { Author } from '../model/author.js';
import { headsByPath } from './merge.js';
import { madeBy, type PointInTime } from './point-in-time.js';
import { parseSegmentKey } from './segment.js';

/** Which versions `history` returns (all given conditions hold). */
export interface HistoryFilter {
  /** Contained, in any case, in the person's name, the machine or the writer id. */
  author?: string;
  /** Made at or after this moment (`pointInTime`: ISO time, "2h", "3 days ago", a version id). */
  since?: string;
  /** Made at or before this moment. */
  until?: string;
}

/** One version in `Library.history()`: what `syncacross log` prints a line for. */
export interface HistoryEntry {
  /** The version hash (its id: `RestoreOptions.at` accepts a unique prefix of 6 hex characters or more). */
  hash: string;
  /** The library path, `/`-separated, NFC. */
  path: string;
  /** The writer id that made the version (`<node>.<incarnation>`). */
  writer: string;
  /** When it was made (its hybrid logical clock), ISO in UTC. */
  time: string;
  /** True when the version is a delete. */
  deleted: boolean;
  /** The content's size in bytes (0 for a folder or a delete). */
  size: number;
  /** The hashes of the versions it replaces; empty for a new file. */
  parents: string[];
  /** True when no known version replaces it: it is current, or one side of a conflict. */
  head: boolean;
  /** The person and machine behind `writer`, when its author object has been read (§3.8). */
  author?: Author;
}

/**
 * Versions of the whole library or under `path` (a file, or a folder and everything in it),
 * oldest first, each with the author in effect at its own segment; `momentOf` reads the filter's
 * moments (Library.pointInTime).
 */
export function historyOf(state: Pick<LocalState, 'allVersions' | 'versionSegments' | 'db'>, momentOf: (at: string) => PointInTime, path?: string, filter: HistoryFilter = {}): HistoryEntry[] {
  const target = path?.normalize('NFC').replace(/^\/+|\/+$/g, '');
  const all = state.allVersions();
  const versions = target ? all.filter((v) => v.path === target || v.path.startsWith(`${target}/`)) : all;
  const heads = new Set([...headsByPath(versions, supersededOf(state)).values()].flat().map((v) => v.hash));
  const authorOf = new AuthorsTable(state.db).resolver();
  const segments = state.versionSegments();
  const since = filter.since !== undefined ? momentOf(filter.since).time : -Infinity;
  const until = filter.until !== undefined ? momentOf(filter.until) : undefined;
  const needle = filter.author?.toLowerCase();
  return versions
    .filter((v) => v.hlc >= since && (!until || madeBy(v, until)))
    .sort((a, b) => a.hlc - b.hlc || (a.hash < b.hash ? -1 : 1))
    .map((v): HistoryEntry => {
      // The author in effect at the version's own segment (a republished copy says nothing of it).
      const segment = parseSegmentKey(segments.get(v.hash) ?? '');
      const author = authorOf(v.writer, segment?.writer === v.writer ? segment.seq : undefined);
      return {
        hash: v.hash,
        path: v.path,
        writer: v.writer,
        time: new Date(v.hlc).toISOString(),
        deleted: !!v.deleted,
        size: v.size,
        parents: v.parents,
        head: heads.has(v.hash),
        ...(author ? { author } : {}),
      };
    })
    .filter((e) => needle === undefined || [e.writer, e.author?.user ?? '', e.author?.machine ?? ''].some((s) => s.toLowerCase().includes(needle)));
}
