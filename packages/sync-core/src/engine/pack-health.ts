/**
 * What a failed chunk read means, and what to do about it. A pack is named by the SHA-256 of its
 * bytes, so the pack itself says whether it is whole:
 * - intact, yet a chunk read from it failed its hash: the location is bogus (a buggy or hostile
 *   segment named it): it is forgotten, and the chunk's other locations serve;
 * - shorter or different than its name (still being written on a mount that shows names early,
 *   or damaged): retried on later rounds (retry-ledger.ts); when it persists it is treated as
 *   lost (§7.1): its locations are forgotten, it is announced in this node's next segment, and
 *   every node that holds some of its content uploads that again;
 * - missing: retried; only when that persists does this node look for lost packs.
 * Meanwhile a file that could not be written is retryable (the CLI exits 3), not an error.
 */
import type { RepositoryCodec } from '../codec/repository-codec.js';
import { createHash } from 'node:crypto';
import type { Storage } from '../storage/contract.js';
import { isStorageError } from '../storage/errors.js';
import type { LocalState } from '../local/state.js';
import type { ChunkFetcher } from './chunk-fetcher.js';
import type { StepReport } from './sync-summary.js';
import { MAX_PACK_BYTES } from './remote-limits.js';
import { CONDEMN_AFTER, RetryLedger } from './retry-ledger.js';
import { keepLostLocations } from './lost-locations.js';
import { chunkLocations, forgetAlternatesIn, forgetLocations, type LocationsState } from './chunk-locations.js';
import { PackDictionaries } from './pack-dictionary-reader.js';

const READ = 16 * 1024 * 1024;
/** Whole-pack checks per round (each reads a pack, ~24 MiB): a bound on what bogus locations cost. */
const MAX_CHECKS_PER_ROUND = 4;

export type PackVerdict = 'intact' | 'damaged' | 'missing';

/**
 * Reads a pack in bounded ranges and compares it with its name. `probes` (chunk locations in
 * it) are checked against the very bytes that proved the pack whole: `bogus` lists those that do
 * not hold their chunk there (judged only when the pack is intact; probes beyond a 64 MiB
 * budget are not judged).
 */
export async function checkPack(
  storage: Storage,
  codec: RepositoryCodec,
  pack: string,
  probes: { hash: string; offset: number; length: number }[] = [],
): Promise<{ verdict: PackVerdict; bogus: number[] }> {
  const digest = createHash('sha256');
  let budget = 64 * 1024 * 1024;
  const buffers = probes.map((p) => (p.length <= budget ? ((budget -= p.length), Buffer.alloc(p.length)) : undefined));
  let end = 0;
  let packStart: Uint8Array | undefined; // where a format-7 pack keeps its dictionary (its frame: at most 65,535 bytes)
  try {
    for (let offset = 0; offset < MAX_PACK_BYTES; offset += READ) {
      const bytes = await storage.get(pack, { range: { offset, length: READ } });
      packStart ??= Buffer.from(bytes.subarray(0, 64 * 1024)); // a copy: the 16 MiB read it came in goes
      digest.update(bytes);
      probes.forEach((p, i) => {
        const from = Math.max(p.offset, offset);
        const to = Math.min(p.offset + p.length, offset + bytes.byteLength);
        if (buffers[i] && to > from) buffers[i]!.set(bytes.subarray(from - offset, to - offset), from - p.offset);
      });
      end = offset + bytes.byteLength;
      if (bytes.byteLength < READ) break;
    }
  } catch (e) {
    if (isStorageError(e, 'NotFound')) return { verdict: 'missing', bogus: [] };
    throw e;
  }
  if (`packs/${digest.digest('hex')}` !== pack) return { verdict: 'damaged', bogus: [] };
  const bogus = probes.flatMap((p, i) => (buffers[i] && (p.offset + p.length > end || !codec.loadChunk(p.hash, buffers[i]!, packStart)) ? [i] : []));
  return { verdict: 'intact', bogus };
}

/** What judging packs reads and writes of the local state. */
export type PackHealthState = LocationsState & Pick<LocalState, 'forgetPacks' | 'round'>;

/**
 * Packs another node announced lost (a segment's `lostPacks`, or a checkpoint bundling it), or a
 * restore here failed to read: this node looks for lost packs in its next round and checks these
 * against their names (§7.1). An announcement is a reason to look, never to believe.
 */
export function heedAnnouncement(state: Pick<LocalState, 'round'>, packs: readonly string[]): void {
  if (packs.length === 0) return;
  state.round.set('checkPacks', true);
  state.round.set('verifyPacks', [...new Set([...state.round.get('verifyPacks'), ...packs])].slice(-1000));
}

/** Packs that are gone or damaged for good: forget their locations, announce them, re-upload what this node holds. */
export function markPacksLost(state: PackHealthState, packs: string[]): void {
  if (packs.length === 0) return;
  keepLostLocations(state.db, packs); // a second rollback may bring them back (lost-locations.ts)
  state.forgetPacks(packs);
  forgetAlternatesIn(state, packs);
  const announced = state.round.get('announceLost');
  state.round.set('announceLost', [...new Set([...announced, ...packs])].sort());
  state.round.set('resupply', true);
}

/**
 * Of the packs other nodes announced as lost or damaged, those in use here that are there but do
 * not match their name. Judged like this node's own reads (a read may be torn): damaged only when
 * the mismatch persists (retry-ledger.ts); until then the pack stays `pending`, checked again
 * when due.
 */
export async function findDamagedPacks(
  state: PackHealthState,
  storage: Storage,
  codec: RepositoryCodec,
  now: number,
  inUse: string[],
  lost: string[],
  announced: string[],
): Promise<{ damaged: string[]; pending: string[] }> {
  const ledger = new RetryLedger(state.db);
  const used = new Set(inUse);
  const gone = new Set(lost);
  const damaged: string[] = [];
  const pending: string[] = [];
  let checks = 0;
  for (const pack of announced) {
    if (!used.has(pack) || gone.has(pack)) continue;
    if (checks >= MAX_CHECKS_PER_ROUND * 4 || !ledger.due(pack, now)) {
      pending.push(pack);
      continue;
    }
    checks++;
    const { verdict } = await checkPack(storage, codec, pack);
    if (verdict === 'intact') ledger.succeeded(pack);
    else if (ledger.failed(pack, 'pack', now, { reason: `${pack} was announced damaged and does not match its name`, missing: verdict === 'missing' })) {
      ledger.succeeded(pack);
      damaged.push(pack);
    } else pending.push(pack);
  }
  return { damaged, pending };
}

export interface FailedFile {
  path: string;
  error: Error;
  packs: string[];
}

/**
 * After materialization: sorts this round's failed chunk reads and reports each file that could
 * not be written, as retryable or as an error.
 */
export async function settleReadFailures(
  state: PackHealthState,
  storage: Storage,
  codec: RepositoryCodec,
  now: number,
  fetcher: ChunkFetcher,
  failed: FailedFile[],
  report: StepReport,
): Promise<void> {
  const ledger = new RetryLedger(state.db);
  const byPack = new Map<string, typeof fetcher.failures>();
  for (const f of fetcher.failures) byPack.set(f.pack, [...(byPack.get(f.pack) ?? []), f]);
  for (const pack of fetcher.readOk) if (!byPack.has(pack)) ledger.succeeded(pack);
  const pending = new Set<string>();
  let checks = 0;
  for (const [pack, failures] of byPack) {
    let verdict: PackVerdict = failures.some((f) => f.kind === 'missing') ? 'missing' : 'damaged';
    let bogus: typeof failures = [];
    if (verdict === 'damaged' && checks++ < MAX_CHECKS_PER_ROUND) {
      const checked = await checkPack(storage, codec, pack, failures);
      verdict = checked.verdict;
      bogus = checked.bogus.map((i) => failures[i]!);
    }
    if (verdict === 'intact') {
      // The pack is whole: a failed chunk that holds its bytes in it was only read torn (retried);
      // one that does not is at a location no honest writer gave.
      ledger.succeeded(pack);
      if (bogus.length < failures.length) pending.add(pack);
      if (bogus.length > 0) {
        forgetLocations(state, bogus);
        report.errors.push(`ignored ${bogus.length} bogus chunk location(s) in ${pack} (named by a buggy or hostile segment); the chunks' other locations are used`);
      }
      continue;
    }
    const reason = verdict === 'missing' ? `${pack} is listed in the index but missing` : `${pack} does not match its name (still being written, or damaged)`;
    const condemned = ledger.failed(pack, 'pack', now, { reason, missing: verdict === 'missing' });
    const entry = ledger.get(pack)!;
    const persisted = entry.attempts >= CONDEMN_AFTER.attempts && now - entry.firstAt >= CONDEMN_AFTER.ms;
    if (condemned) {
      state.transaction(() => markPacksLost(state, [pack]));
      ledger.succeeded(pack); // its locations are gone; a re-upload is a new pack
      report.errors.push(`${pack} is damaged on the remote (it has not matched its name for ${entry.attempts} reads); its content is uploaded again by the nodes that hold it`);
    } else {
      // Still missing after the same wait: maybe lost for real (storage rolled back): look (§7.1).
      if (persisted) state.round.set('checkPacks', true);
      pending.add(pack);
    }
  }
  for (const f of failed) {
    const message = `could not restore ${f.path}: ${f.error.message}; the local copy was left as it was`;
    if (f.packs.some((p) => pending.has(p))) report.retryable.push(`${message} (will retry)`);
    else report.errors.push(message);
  }
}

/**
 * After packs are found lost: the other locations of the chunks they held are read and verified
 * (at most `max` reads). A bogus location (a hostile segment's) would otherwise stand in for
 * the lost true one, and the node holding the content would never upload it again. A read that
 * comes back whole but with other bytes is bogus (packs never change); one that comes back short
 * is either torn or points past the pack's end, which only the whole pack can tell (checkPack,
 * at most MAX_CHECKS_PER_ROUND packs: the rest wait for a later loss check or a failed read).
 */
export async function verifyOtherLocations(state: PackHealthState, storage: Storage, codec: RepositoryCodec, hashes: string[], max = 2000): Promise<Set<string>> {
  type Location = { hash: string; pack: string; offset: number; length: number };
  const bogus: Location[] = [];
  const short = new Map<string, Location[]>();
  const good = new Set<string>();
  const dictionaries = new PackDictionaries(storage, codec); // one read per pack, not per chunk
  let reads = 0;
  for (const hash of hashes) {
    for (const [, pack, offset, length] of chunkLocations(state, hash)) {
      if (reads++ >= max) break;
      let bytes: Uint8Array;
      try {
        bytes = await storage.get(pack, { range: { offset, length } });
      } catch (e) {
        if (isStorageError(e, 'NotFound')) continue; // missing is for findLostPacks to judge, not a lie
        throw e;
      }
      if (bytes.byteLength === length) {
        if (await codec.loadChunkAsync(hash, bytes, dictionaries.of(pack))) good.add(hash);
        else bogus.push({ hash, pack, offset, length });
      } else short.set(pack, [...(short.get(pack) ?? []), { hash, pack, offset, length }]);
    }
  }
  let checks = 0;
  for (const [pack, probes] of short) {
    if (checks++ >= MAX_CHECKS_PER_ROUND) break;
    const checked = await checkPack(storage, codec, pack, probes);
    if (checked.verdict === 'intact') bogus.push(...checked.bogus.map((i) => probes[i]!));
  }
  if (bogus.length > 0) forgetLocations(state, bogus);
  return good;
}
