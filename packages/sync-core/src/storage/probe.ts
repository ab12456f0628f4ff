/**
 * Measures what a backend really does, rather than trusting what its adapter declares. Servers
 * that silently ignore If-None-Match (s3rver, nginx, rclone, some S3 gateways) and cloud APIs
 * with field reports of inconsistent conflict handling are caught here; the engine then uses
 * the *measured* capabilities.
 *
 * The probe writes under `prefix` (default `probe/<random>/`) and cleans up where it can.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Storage, StorageCapabilities } from './contract.js';
import { checkedStorage } from './checked.js';
import { isStorageError } from './errors.js';
import { listAll } from './listing.js';

/** What `probeCapabilities` found: the declared capabilities, what was measured, and what to use. */
export interface ProbeReport {
  /** What the adapter declares (`Storage.capabilities`). */
  declared: StorageCapabilities;
  /** What the backend did when tried. */
  measured: {
    /** A second sequential create of one key was refused and left the content alone. */
    preconditionsHonored: boolean;
    /** Every racing round had exactly one winner (can disprove atomicity, never prove it). */
    racingCreateSafe: boolean;
    /** Created keys appeared in the very next listing. */
    listedAtOnce: boolean;
    /** putIfMatch refused a stale etag (undefined when not offered). */
    compareAndSwapHonored?: boolean;
  };
  /** What the engine should use: declared AND measured. */
  effective: StorageCapabilities;
  /** Each shortfall found, for a person to read (empty when the backend kept every promise). */
  notes: string[];
}

/** Where and how hard `probeCapabilities` tries the backend. */
export interface ProbeOptions {
  /** The key prefix the probe writes under, ending in `/` (default `probe/<random UUID>/`); removed afterwards where the backend can delete. */
  prefix?: string;
  /** Creates of one key raced at once in each round (default 8). */
  racers?: number;
  /** Rounds of racing creates (default 3); more rounds make a non-atomic create likelier to show. */
  rounds?: number;
}

const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

/** 1. Sequential double create: the second must be refused and leave the first content alone. */
async function measurePreconditions(s: Storage, prefix: string, notes: string[]): Promise<boolean> {
  const first = randomBytes(64);
  await s.putIfAbsent(`${prefix}twice`, first);
  const second = await s.putIfAbsent(`${prefix}twice`, randomBytes(64));
  const honored = second === 'exists' && same(await s.get(`${prefix}twice`), first);
  if (!honored) notes.push('a second create of the same key was accepted: the backend ignores create-if-absent preconditions');
  return honored;
}

/** 2. Racing creates: every round must have exactly one winner, whose body is what is stored. */
async function measureRacingCreates(s: Storage, prefix: string, racers: number, rounds: number, notes: string[]): Promise<boolean> {
  for (let round = 0; round < rounds; round++) {
    const key = `${prefix}race-${round}`;
    const bodies = Array.from({ length: racers }, () => randomBytes(32));
    const answers = await Promise.all(bodies.map((b) => s.putIfAbsent(key, b)));
    const winners = answers.filter((a) => a === 'created').length;
    const stored = await s.get(key);
    const winnerBody = bodies[answers.indexOf('created')];
    if (winners !== 1 || !winnerBody || !same(stored, winnerBody)) {
      notes.push(`racing creates: ${winners} of ${racers} answered created in round ${round + 1}`);
      return false;
    }
  }
  return true;
}

/** 3. Listing visibility: a new key must be in the very next listing. */
async function measureListing(s: Storage, prefix: string, notes: string[]): Promise<boolean> {
  const fresh = `${prefix}listed`;
  await s.putIfAbsent(fresh, randomBytes(8));
  const listed = (await listAll(s, prefix)).some((o) => o.key === fresh);
  if (!listed) notes.push('a new key was not listed at once: listings lag behind writes');
  return listed;
}

/** 4. Compare-and-swap: a stale etag must be refused (undefined when putIfMatch is not offered). */
async function measureCompareAndSwap(s: Storage, prefix: string, notes: string[]): Promise<boolean | undefined> {
  if (!s.putIfMatch) return undefined;
  const key = `${prefix}cas`;
  await s.putIfAbsent(key, Buffer.from('v1'));
  const etag = (await listAll(s, prefix)).find((o) => o.key === key)?.etag;
  if (!etag) {
    notes.push('compare-and-swap: the listing gives no etag');
    return false;
  }
  await s.putIfMatch(key, Buffer.from('v2'), etag);
  try {
    await s.putIfMatch(key, Buffer.from('v3'), etag);
    notes.push('compare-and-swap: a stale etag was accepted');
    return false;
  } catch (e) {
    if (!isStorageError(e, 'PreconditionFailed')) throw e;
    return true;
  }
}

/**
 * Tries the backend (a few small writes under `options.prefix`) and reports the capabilities
 * that held: a create-if-absent that is refused the second time and has one winner in a race, a
 * listing that shows a new key at once, a compare-and-swap that refuses a stale etag.
 */
export async function probeCapabilities(adapter: Storage, options: ProbeOptions = {}): Promise<ProbeReport> {
  const s = checkedStorage(adapter);
  const prefix = options.prefix ?? `probe/${randomUUID()}/`;
  const notes: string[] = [];
  const declared = s.capabilities;

  const preconditionsHonored = await measurePreconditions(s, prefix, notes);
  // Racing is only worth measuring where a single create is refused at all.
  const racingCreateSafe = preconditionsHonored && (await measureRacingCreates(s, prefix, options.racers ?? 8, options.rounds ?? 3, notes));
  const listedAtOnce = await measureListing(s, prefix, notes);
  const compareAndSwapHonored = await measureCompareAndSwap(s, prefix, notes);

  if (s.delete) {
    for (const o of await listAll(s, prefix)) await s.delete(o.key).catch(() => undefined);
  }

  const effective: StorageCapabilities = {
    ...declared,
    atomicCreate: declared.atomicCreate && preconditionsHonored && racingCreateSafe,
    consistentListing: declared.consistentListing && listedAtOnce,
    compareAndSwap: declared.compareAndSwap && compareAndSwapHonored === true,
  };
  if (declared.atomicCreate && !effective.atomicCreate) notes.push('atomic create is claimed but not delivered: using unique write-once names instead');
  return { declared, measured: { preconditionsHonored, racingCreateSafe, listedAtOnce, compareAndSwapHonored }, effective, notes };
}
