/**
 * The library as it was at a moment: which versions were current then. Every version carries the
 * hybrid logical clock of its making (`hlc`, milliseconds, never behind its parents), so the state
 * at time T is the merge of every version made by T, the same on every node that knows them.
 */
import { SyncError } from '../model/sync-error.js';
import type { HashedVersion } from '../model/version.js';
import { buildTree, headsByPath, type Tree } from './merge.js';

/** A moment to look at: a time, or one version (then that version is what its path shows). */
export interface PointInTime {
  time: number;
  version?: HashedVersion;
  /**
   * "now": every version known, whatever its time. A version's time can be ahead of this
   * machine's clock, by minutes where its writer's clock is ahead, and by a second or more just
   * after a round that made many versions at once (each a millisecond after the one before,
   * steps/new-versions.ts `tick`): "now" read as this clock's time left them out, and a restore
   * or `ls` right after a sync missed the newest files.
   */
  latest?: true;
}

/** Whether `v` was made by the moment: every version, for "now". */
export const madeBy = (v: HashedVersion, at: PointInTime): boolean => at.latest === true || v.hlc <= at.time;

// A month and a year as systemd reads them (systemd.time(7)): 30.44 and 365.25 days. A person asking
// for "6 months ago" or `--keep-within 1y` means about that, whatever the calendar. `m` stays minutes.
const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000, M: 2_629_800_000, y: 31_557_600_000 };
const UNIT_NAMES: Record<string, string> = {
  s: 's',
  sec: 's',
  secs: 's',
  second: 's',
  seconds: 's',
  m: 'm',
  min: 'm',
  mins: 'm',
  minute: 'm',
  minutes: 'm',
  h: 'h',
  hr: 'h',
  hrs: 'h',
  hour: 'h',
  hours: 'h',
  d: 'd',
  day: 'd',
  days: 'd',
  w: 'w',
  week: 'w',
  weeks: 'w',
  mo: 'M',
  month: 'M',
  months: 'M',
  y: 'y',
  yr: 'y',
  yrs: 'y',
  year: 'y',
  years: 'y',
};

/** A span as a person types it (`0s`, `90m`, `2 hours`, `7d`, `1 week`, `6 months`, `1y`) in milliseconds, or undefined. */
export function parseSpanMs(input: string): number | undefined {
  const span = /^(\d+(?:\.\d+)?)\s*([a-z]+)$/.exec(input.trim().toLowerCase());
  const unit = span ? UNIT_NAMES[span[2]!] : undefined;
  return span && unit ? Number(span[1]) * UNIT_MS[unit]! : undefined;
}

/**
 * Reads WHEN as a person types it: `now`, `yesterday`, an ISO date or time (`2026-11-29`, `2026-11-29T14:00`,
 * with or without a zone; without one it is local time), a span back from now (`2h`, `90m`,
 * `3 days ago`, `1 week`, `6 months ago`, `1y`), or a version id from `log` (at least 6 hex characters, unique).
 */
export function parsePointInTime(input: string, now: number, versions: () => HashedVersion[]): PointInTime {
  const text = input.trim().toLowerCase();
  if (text === 'now') return { time: now, latest: true };
  if (text === 'yesterday') return { time: now - UNIT_MS.d! }; // as git reads it: a day back from now
  const span = /^(\d+(?:\.\d+)?)\s*([a-z]+)(?:\s+ago)?$/.exec(text);
  const unit = span ? UNIT_NAMES[span[2]!] : undefined;
  if (span && unit) return { time: now - Number(span[1]) * UNIT_MS[unit]! };
  if (/^[0-9a-f]{6,64}$/.test(text) && !/^\d{4}$/.test(text)) return versionPoint(text, versions());
  if (/^\d{4}-\d{2}-\d{2}/.test(text)) {
    const time = Date.parse(input.trim());
    if (Number.isFinite(time)) return { time };
  }
  throw new SyncError(
    'InvalidArgument',
    `cannot read "${input}" as a time: use an ISO date or time (2026-11-29T14:00), a span back from now (2h, 3 days ago, 6 months ago, 1y) or a version id from \`syncacross log\``,
  );
}

function versionPoint(prefix: string, versions: HashedVersion[]): PointInTime {
  const matches = versions.filter((v) => v.hash.startsWith(prefix));
  if (matches.length === 0) throw new SyncError('InvalidArgument', `no version id starts with ${prefix} (see \`syncacross log\`)`);
  if (matches.length > 1) throw new SyncError('InvalidArgument', `${matches.length} version ids start with ${prefix}: give more characters`);
  return { time: matches[0]!.hlc, version: matches[0]! };
}

/** The versions made by the moment (a version's own point: everything made by its time). */
function versionsBy(versions: HashedVersion[], at: PointInTime): HashedVersion[] {
  const made = versions.filter((v) => madeBy(v, at));
  if (!at.version) return made;
  // The chosen version is what its path shows, even if a concurrent one of the same instant won.
  const chosen = at.version;
  return [...made.filter((v) => v.path !== chosen.path), chosen];
}

/** The tree as it was: what every node showed once it knew every version made by then. */
export function treeAt(versions: HashedVersion[], at: PointInTime, superseded?: ReadonlySet<string>): Tree {
  return buildTree(versionsBy(versions, at), superseded);
}

/** Paths whose current state at the moment was "deleted", with the delete that made it so. */
export function deletedAt(versions: HashedVersion[], at: PointInTime, superseded?: ReadonlySet<string>): Map<string, HashedVersion> {
  const deleted = new Map<string, HashedVersion>();
  for (const [path, heads] of headsByPath(versionsBy(versions, at), superseded)) {
    if (heads.every((h) => h.deleted)) deleted.set(path, heads[heads.length - 1]!);
  }
  return deleted;
}

/**
 * The last live version of each path deleted at the moment: what restoring a deleted file brings
 * back. A path deleted and never live before has none.
 */
export function lastLiveBefore(versions: HashedVersion[], path: string, at: PointInTime): HashedVersion | undefined {
  return versions
    .filter((v) => v.path === path && !v.deleted && madeBy(v, at))
    .sort((a, b) => a.hlc - b.hlc || (a.hash < b.hash ? -1 : 1))
    .at(-1);
}

/** One path of the tree at a moment, as `ls` shows it. */
export interface ListedEntry {
  /** The library path, `/`-separated, NFC (a conflict copy's own name). */
  path: string;
  /** A file, an empty folder or a SQLite database. */
  kind: 'file' | 'dir' | 'sqlite';
  /** The content's size in bytes (0 for a folder). */
  size: number;
  /** The file's modification time, ISO. */
  mtime: string;
  /** When the version was made, ISO, and by which writer (machine and incarnation). */
  time: string;
  /** The writer id that made the version (`<node>.<incarnation>`). */
  writer: string;
  /** The version's hash: what `history()` shows and `RestoreOptions.at` accepts (6 hex characters or more). */
  version: string;
  /** A conflict copy: the path it conflicts with. */
  conflictOf?: string;
  /** Deleted by then (listed only when asked for): what it last held, and when it was deleted. */
  deleted?: {
    /** When the delete was made, ISO. */
    at: string;
    /** The writer id that deleted it. */
    by: string;
  };
}

/** Whether a library path is `prefix` or lies below it ('' is the whole library). */
export const isUnder = (path: string, prefix: string): boolean => prefix === '' || path === prefix || path.startsWith(`${prefix}/`);

/** The tree at a moment under `path` (everything when empty), sorted by path; deleted paths too when asked. */
export function listAt(versions: HashedVersion[], at: PointInTime, path = '', includeDeleted = false, superseded?: ReadonlySet<string>): ListedEntry[] {
  const prefix = path.normalize('NFC').replace(/^\/+|\/+$/g, '');
  const out: ListedEntry[] = [];
  const describe = (p: string, v: HashedVersion): ListedEntry => ({
    path: p,
    kind: v.kind,
    size: v.size,
    mtime: new Date(v.mtime).toISOString(),
    time: new Date(v.hlc).toISOString(),
    writer: v.writer,
    version: v.hash,
  });
  for (const e of treeAt(versions, at, superseded).values()) {
    if (isUnder(e.path, prefix)) out.push({ ...describe(e.path, e.version), ...(e.conflictOf ? { conflictOf: e.conflictOf } : {}) });
  }
  if (includeDeleted) {
    for (const [p, del] of deletedAt(versions, at, superseded)) {
      const live = lastLiveBefore(versions, p, at);
      if (live && isUnder(p, prefix)) out.push({ ...describe(p, live), deleted: { at: new Date(del.hlc).toISOString(), by: del.writer } });
    }
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
