/**
 * Where a chunk can be read. The state's `chunk_locations` keeps one location per (chunk, pack);
 * a second, different location for the same pair (a buggy or hostile segment giving another
 * offset or length in the same pack, perhaps applied first) would otherwise be dropped, or
 * would shadow the true one. Such alternatives are kept here, tried after the others, and the
 * true one takes the place of a location found bogus.
 */
import type { Statement } from 'better-sqlite3';
import type { LocalState } from '../local/state.js';
import type { ChunkLocation } from '../model/chunk-location.js';

const TABLE =
  'CREATE TABLE IF NOT EXISTS chunk_location_alternates (hash TEXT NOT NULL, pack TEXT NOT NULL, offset INTEGER NOT NULL, length INTEGER NOT NULL, segment TEXT, PRIMARY KEY (hash, pack, offset, length))';
/** What chunk locations read and write of the local state. */
export type LocationsState = Pick<LocalState, 'db' | 'transaction' | 'addChunk'>;

const ready = new WeakSet<LocationsState>();
/**
 * The alternatives' table, made on first use. A read-only state (a restore beside a running
 * sync) that never had one has no alternatives: undefined, rather than a write it may not make.
 */
function alternates(state: LocationsState) {
  if (ready.has(state)) return state.db;
  if (!state.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'chunk_location_alternates'").get()) {
    if (state.db.readonly) return undefined;
    state.db.exec(TABLE);
  }
  ready.add(state);
  return state.db;
}
function db(state: LocationsState) {
  return alternates(state) ?? state.db; // only writers call this, and a writable state has the table
}

/**
 * Records the locations a segment gives (inside the caller's transaction). A location already
 * known from an earlier segment is credited to this one: the latest segment to teach it is the
 * one a checkpoint bundles it with (checkpoints/write.ts). A pack rebuilt after a loss gets its
 * very same key back, and the segment that publishes it again is the one a node that forgot the
 * location (it judged the pack lost) has not applied yet.
 */
export function addLocations(state: LocationsState, locations: ChunkLocation[], segment: string): void {
  const d = db(state);
  const existing = d.prepare('SELECT offset, length, segment FROM chunk_locations WHERE hash = ? AND pack = ?');
  const credit = d.prepare('UPDATE chunk_locations SET segment = ? WHERE hash = ? AND pack = ?');
  const alternate = d.prepare('INSERT OR IGNORE INTO chunk_location_alternates (hash, pack, offset, length, segment) VALUES (?, ?, ?, ?, ?)');
  for (const c of locations) {
    const had = existing.get(c[0], c[1]) as { offset: number; length: number; segment: string | null } | undefined;
    if (!had) state.addChunk(c, segment);
    else if (had.offset !== c[2] || had.length !== c[3]) alternate.run(...c, segment);
    // A location this node has not published yet stays its own to publish.
    else if (had.segment !== null && had.segment !== segment) credit.run(segment, c[0], c[1]);
  }
}

/**
 * Whether some location waits for this node to publish it. An index of those rows alone (made on
 * first use) keeps the question cheap: every round asks it.
 */
export function hasUnpublishedLocations(state: LocationsState): boolean {
  if (!unpublishedIndexed.has(state)) {
    if (!state.db.readonly) state.db.exec('CREATE INDEX IF NOT EXISTS chunk_locations_unpublished ON chunk_locations(hash) WHERE segment IS NULL');
    unpublishedIndexed.add(state);
  }
  return state.db.prepare('SELECT 1 FROM chunk_locations WHERE segment IS NULL LIMIT 1').get() !== undefined;
}
const unpublishedIndexed = new WeakSet<LocationsState>();

type LocationRow = { pack: string; offset: number; length: number };
/** The two lookups, compiled once per state: a download asks for every chunk it writes. */
const lookups = new WeakMap<LocationsState, { main: Statement; alt?: Statement }>();
function lookupsOf(state: LocationsState) {
  let l = lookups.get(state);
  if (!l) {
    const alt = alternates(state);
    l = {
      main: state.db.prepare('SELECT pack, offset, length FROM chunk_locations WHERE hash = ? ORDER BY rowid DESC'),
      alt: alt?.prepare('SELECT pack, offset, length FROM chunk_location_alternates WHERE hash = ? ORDER BY rowid DESC'),
    };
    lookups.set(state, l);
  }
  return l;
}

/** Every known location of a chunk, the most recently learned first, alternatives last. */
export function chunkLocations(state: LocationsState, hash: string): ChunkLocation[] {
  const { main, alt } = lookupsOf(state);
  const rows = [...(main.all(hash) as LocationRow[]), ...((alt?.all(hash) ?? []) as LocationRow[])];
  return rows.map((r) => [hash, r.pack, r.offset, r.length]);
}

/** A chunk's locations (`chunkLocations`), and maybe a way to look up many at once. */
export interface Locate {
  (hash: string): ChunkLocation[];
  /** The locations of each of `hashes` (an empty list for one with none), in `chunkLocations`' order. */
  many?: (hashes: string[]) => Map<string, ChunkLocation[]>;
}

/**
 * From this many chunks, and a large enough share of the table, one pass over the tables costs
 * less than two lookups per chunk: a download of the benchmark library (24,000 chunks) spent
 * 0.3 s of its main thread on those lookups, where the pass takes a few tens of milliseconds.
 */
const MANY = 1000;
const SHARE = 8;

/** `chunkLocations`, with `many` for a plan of many chunks (chunk-fetcher.ts). */
export function chunkLocator(state: LocationsState): Locate {
  const locate: Locate = (hash) => chunkLocations(state, hash);
  locate.many = (hashes) => {
    const out = new Map<string, ChunkLocation[]>();
    const { n } = state.db.prepare('SELECT count(*) AS n FROM chunk_locations').get() as { n: number };
    if (hashes.length < MANY || hashes.length * SHARE < n) {
      for (const h of hashes) out.set(h, chunkLocations(state, h));
      return out;
    }
    for (const h of hashes) out.set(h, []);
    // Main locations first, then alternatives, each the most recently learned first: as chunkLocations.
    const alt = alternates(state);
    const passes = [
      state.db.prepare('SELECT hash, pack, offset, length FROM chunk_locations ORDER BY rowid DESC'),
      alt?.prepare('SELECT hash, pack, offset, length FROM chunk_location_alternates ORDER BY rowid DESC'),
    ];
    // Each row brings its own copies of the chunk's hash and the pack's key; the locations keep the
    // hash as asked and one string per pack instead. In a download of the benchmark library the
    // copies were about 4 MiB of a 29 MiB heap (23,858 of 32 pack keys), which the collector marks
    // again at each of its 40 full collections (session 50).
    const asked = new Map(hashes.map((h) => [h, h]));
    const packKeys = new Map<string, string>();
    const packKey = (key: string) => packKeys.get(key) ?? (packKeys.set(key, key), key);
    for (const pass of passes)
      for (const row of (pass?.raw(true).iterate() ?? []) as Iterable<ChunkLocation>) {
        const hash = asked.get(row[0]);
        if (hash !== undefined) out.get(hash)!.push([hash, packKey(row[1]), row[2], row[3]]);
      }
    return out;
  };
  return locate;
}

/** Forgets locations found bogus; an alternative for the same (chunk, pack) takes the place of one. */
export function forgetLocations(state: LocationsState, bogus: { hash: string; pack: string; offset: number; length: number }[]): void {
  const d = db(state);
  const delMain = d.prepare('DELETE FROM chunk_locations WHERE hash = ? AND pack = ? AND offset = ? AND length = ?');
  const delAlt = d.prepare('DELETE FROM chunk_location_alternates WHERE hash = ? AND pack = ? AND offset = ? AND length = ?');
  const next = d.prepare('SELECT offset, length, segment FROM chunk_location_alternates WHERE hash = ? AND pack = ? ORDER BY rowid LIMIT 1');
  state.transaction(() => {
    for (const b of bogus) {
      delAlt.run(b.hash, b.pack, b.offset, b.length);
      if (delMain.run(b.hash, b.pack, b.offset, b.length).changes === 0) continue;
      const alt = next.get(b.hash, b.pack) as { offset: number; length: number; segment: string | null } | undefined;
      if (!alt) continue;
      delAlt.run(b.hash, b.pack, alt.offset, alt.length);
      state.addChunk([b.hash, b.pack, alt.offset, alt.length], alt.segment);
    }
  });
}

/** Alternatives in packs found lost go with them. */
export function forgetAlternatesIn(state: LocationsState, packs: string[]): void {
  const del = db(state).prepare('DELETE FROM chunk_location_alternates WHERE pack = ?');
  for (const p of packs) del.run(p);
}

/**
 * A key that sorts writes by where their first chunk lies (pack, then offset), so neighbouring
 * chunks come from one ranged read while it is at hand; '' where the chunk has no location.
 */
export function packOrderKey(location: ChunkLocation | undefined): string {
  return location ? `${location[1]}:${String(location[2]).padStart(12, '0')}` : '';
}
