/**
 * The state keeps the name of every pack an announcement condemned (§3.12): without this, one row
 * a sync, for ever, since each sync's small pack is merged and condemned in time. Once the pack is
 * gone and the segment that announced it collected, nobody needs the name: nothing is left to
 * deduplicate against, and a checkpoint carries only the announcements of segments still listed
 * (§3.10). Gone is checked as collection checks it (checkpoint-judgement.ts): not listed, and a
 * read answers NotFound, so a listing that dropped a pack still there never lets its name go (a
 * new pack must not take that key while the announcer may still delete it).
 */
import { CondemnedPacks } from '../../local/condemned-packs.js';
import type Database from 'better-sqlite3';
import type { Storage } from '../../storage/contract.js';
import { packGone } from './checkpoint-judgement.js';

/** Forgets what it can; returns how many pack names went. */
export async function forgetGoneCondemnations(db: Database.Database, storage: Storage): Promise<number> {
  const condemned = new CondemnedPacks(db);
  const candidates = condemned.forgettable();
  if (candidates.length === 0) return 0;
  const gone = packGone(storage);
  const forgotten: string[] = [];
  for (const pack of candidates) if (await gone(pack)) forgotten.push(pack);
  condemned.forgetGone(forgotten);
  return forgotten.length;
}
