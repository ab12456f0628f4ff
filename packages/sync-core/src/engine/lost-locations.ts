/**
 * Locations in packs this node judged lost, kept aside instead of thrown away. A storage rolled
 * back twice can bring a lost pack back: the first rollback takes pack P, every node that looks
 * forgets its locations; a second, to an older copy, brings P back and takes the content's new
 * pack. The content is on the remote again, in P, under locations an applied segment gave, but
 * no node reads that segment again (it was never lost) and the node that held the content on disk
 * may no longer (sim seed 1101476: its folder went behind a symbolic link): every node reported
 * "no known location" every round, for ever.
 *
 * So a chunk that a write needs and that has no location left is looked for where it used to be:
 * a read that comes back whole and verifies restores the location, unpublished, so this node's
 * next segment teaches it again to every node that forgot it, and to checkpoints. A location is
 * only ever restored from the verified bytes (an unread one could stand in for the true one,
 * §7.1), and never in a condemned pack (nothing may deduplicate against one, §3.12).
 */
import type { Database } from 'better-sqlite3';
import type { RepositoryCodec } from '../codec/repository-codec.js';
import { CondemnedPacks } from '../local/condemned-packs.js';
import type { LocalState } from '../local/state.js';
import type { Storage } from '../storage/contract.js';
import { isStorageError } from '../storage/errors.js';
import type { ChunkLocation } from '../model/chunk-location.js';
import type { Locate } from './chunk-locations.js';
import { PackDictionaries } from './pack-dictionary-reader.js';

const TABLE = 'CREATE TABLE IF NOT EXISTS lost_chunk_locations (hash TEXT NOT NULL, pack TEXT NOT NULL, offset INTEGER NOT NULL, length INTEGER NOT NULL, PRIMARY KEY (hash, pack, offset, length))';
/** Rows kept at most (the oldest go first): a lost pack of small chunks adds a few thousand. */
const MAX_ROWS = 200_000;
/** Ranged reads one round spends looking (each a chunk's length). */
const MAX_READS = 500;

type Row = { pack: string; offset: number; length: number };

/** Whether this state has kept anything aside yet (only keeping makes the table: reads never write). */
function kept(db: Database): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'lost_chunk_locations'").get() !== undefined;
}

/** A chunk's kept-aside locations, the most recently kept first. */
function keptAside(db: Database, hash: string): ChunkLocation[] {
  if (!kept(db)) return [];
  const rows = db.prepare('SELECT pack, offset, length FROM lost_chunk_locations WHERE hash = ? ORDER BY rowid DESC').all(hash) as Row[];
  return rows.map((r) => [hash, r.pack, r.offset, r.length]);
}

/** Keeps the locations in `packs` aside before they are forgotten (inside the caller's transaction). */
export function keepLostLocations(db: Database, packs: readonly string[]): void {
  if (packs.length === 0 || db.readonly) return;
  db.exec(TABLE);
  const copy = db.prepare('INSERT OR IGNORE INTO lost_chunk_locations (hash, pack, offset, length) SELECT hash, pack, offset, length FROM chunk_locations WHERE pack = ?');
  for (const p of packs) copy.run(p);
  db.prepare('DELETE FROM lost_chunk_locations WHERE rowid <= (SELECT max(rowid) FROM lost_chunk_locations) - ?').run(MAX_ROWS);
}

/** Drops what is kept aside of packs gone for good (collected: nothing may read them again). */
export function dropLostLocations(db: Database, packs: readonly string[]): void {
  if (packs.length === 0 || !kept(db)) return;
  const drop = db.prepare('DELETE FROM lost_chunk_locations WHERE pack = ?');
  for (const p of packs) drop.run(p);
}

/** Whether any location is kept aside: a round asks before anything costlier. */
export function anyLostLocations(db: Database): boolean {
  return kept(db) && db.prepare('SELECT 1 FROM lost_chunk_locations LIMIT 1').get() !== undefined;
}

/** The packs a chunk's kept-aside locations are in (none in a state that never kept any). */
export function lostPacksOf(db: Database, hash: string): string[] {
  return [...new Set(keptAside(db, hash).map((l) => l[1]))];
}

/**
 * `locate`, with a chunk that has no location given its kept-aside ones, to read and verify only:
 * a restore reads content from a lost pack that is back before any sync has restored its
 * locations (nothing is recorded: the next sync does that).
 */
export function orKeptAside(db: Database, locate: Locate): Locate {
  const withAside: Locate = (hash) => {
    const found = locate(hash);
    return found.length > 0 ? found : keptAside(db, hash);
  };
  if (locate.many) {
    const many = locate.many;
    withAside.many = (hashes) => {
      const out = many(hashes);
      for (const [hash, found] of out) if (found.length === 0) out.set(hash, keptAside(db, hash));
      return out;
    };
  }
  return withAside;
}

/**
 * Of `needed`, the chunks with no location whose kept-aside location reads back whole: those
 * locations are restored (unpublished). A location whose pack is missing stays aside (the pack
 * may come back yet), as does one read short; one that reads other bytes, or is condemned, is
 * dropped. A storage error other than NotFound ends the looking for this round, rows kept: it is
 * only ever a better chance for the writes that follow, which report their own failures.
 */
export async function reclaimLostLocations(
  state: Pick<LocalState, 'db' | 'hasChunk' | 'addChunk' | 'transaction'>,
  storage: Storage,
  codec: RepositoryCodec,
  needed: Iterable<string>,
): Promise<string[]> {
  const { db } = state;
  if (db.readonly || !kept(db)) return [];
  const drop = db.prepare('DELETE FROM lost_chunk_locations WHERE hash = ? AND pack = ? AND offset = ? AND length = ?');
  const condemned = new CondemnedPacks(db).all();
  const reclaimed: string[] = [];
  const dictionaries = new PackDictionaries(storage, codec); // one read per pack, not per chunk
  let reads = 0;
  for (const hash of new Set(needed)) {
    if (state.hasChunk(hash)) continue;
    for (const location of keptAside(db, hash)) {
      if (reads++ >= MAX_READS) return reclaimed;
      const verdict = condemned.has(location[1]) ? 'bogus' : await readBack(storage, codec, dictionaries, location);
      if (verdict === 'unreachable') return reclaimed;
      if (verdict === 'missing') continue;
      state.transaction(() => {
        drop.run(...location);
        if (verdict === 'whole') state.addChunk(location, null);
      });
      if (verdict === 'whole') {
        reclaimed.push(hash);
        break;
      }
    }
  }
  return reclaimed;
}

async function readBack(storage: Storage, codec: RepositoryCodec, dictionaries: PackDictionaries, [hash, pack, offset, length]: ChunkLocation): Promise<'whole' | 'missing' | 'bogus' | 'unreachable'> {
  try {
    const bytes = await storage.get(pack, { range: { offset, length } });
    // Short: a pack still being written under its old key (a node rebuilding it): looked at again.
    if (bytes.byteLength < length) return 'missing';
    return bytes.byteLength === length && (await codec.loadChunkAsync(hash, bytes, dictionaries.of(pack))) ? 'whole' : 'bogus';
  } catch (e) {
    if (isStorageError(e, 'NotFound')) return 'missing';
    if (isStorageError(e)) return 'unreachable';
    throw e;
  }
}
