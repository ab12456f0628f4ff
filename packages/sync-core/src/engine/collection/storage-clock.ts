/**
 * The storage's own clock (docs/PROTOCOL.md §3.10): collection measures every margin by the
 * times the storage stamps on its objects, never by this machine's clock, which may be wrong by
 * hours (a laptop's dead battery, a VM restored from a snapshot). It writes one tiny object,
 * reads the time the storage gave it from a listing, and deletes it.
 */
import { randomBytes } from 'node:crypto';
import type { Storage } from '../../storage/contract.js';
import { listAll } from '../../storage/listing.js';
import { SyncError } from '../../model/sync-error.js';

const CLOCK_PREFIX = 'clock/';
/** How far the two clocks may disagree before collection refuses: minutes mean a clock is wrong, not a slow request. */
const MAX_CLOCK_SKEW_MS = 5 * 60_000;
/** Listings that may lag behind a write get this many looks, a second more apart each time, before the clock counts as unreadable. */
const LOOKS = 5;

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The storage's clock, read by writing an object and listing it. */
export interface StorageClock {
  /** The storage's time when the probe object was written (ms since the epoch). */
  storageNow: number;
  /** This machine's clock minus the storage's, around that write (positive: this machine is ahead). */
  skewMs: number;
}

/**
 * Reads the storage's clock. `localNow` is this machine's clock (the engine's `now`, so a test or
 * the simulation can skew it). Throws CannotCollect when the storage shows no times.
 */
export async function readStorageClock(
  storage: Storage & { delete(key: string): Promise<void> },
  writer: string,
  localNow: () => number,
  sleep: (ms: number) => Promise<void> = realSleep,
): Promise<StorageClock> {
  const key = `${CLOCK_PREFIX}${writer}/${randomBytes(8).toString('hex')}`;
  const before = localNow();
  await storage.putIfAbsent(key, new Uint8Array([0]));
  const after = localNow();
  try {
    for (let look = 0; look < LOOKS; look++) {
      if (look > 0) await sleep(look * 1000);
      const listed = await listAll(storage, `${CLOCK_PREFIX}${writer}/`);
      // Probes an interrupted run of this writer left behind: nobody else reads them.
      for (const o of listed) if (o.key !== key) await storage.delete(o.key);
      const found = listed.find((o) => o.key === key);
      if (!found) continue;
      const storageNow = found.modified?.getTime();
      if (storageNow === undefined || !Number.isFinite(storageNow))
        throw new SyncError('CannotCollect', `${storage.name} shows no usable modification times, so the ages collection waits for cannot be measured; nothing was changed`);
      // Within the write's own duration the clocks agree; outside it, by how much they do not.
      const skewMs = storageNow < before ? before - storageNow : storageNow > after ? after - storageNow : 0;
      return { storageNow, skewMs };
    }
    throw new SyncError('CannotCollect', `${storage.name} did not list an object written just now after ${LOOKS} looks, so its clock cannot be read; nothing was changed, try again later`);
  } finally {
    await storage.delete(key);
  }
}

/** Stops collection when the clocks disagree by more than {@link MAX_CLOCK_SKEW_MS}. */
export function refuseSkew(clock: StorageClock, storageName: string): void {
  if (Math.abs(clock.skewMs) <= MAX_CLOCK_SKEW_MS) return;
  const minutes = Math.round(Math.abs(clock.skewMs) / 60_000);
  throw new SyncError(
    'ClockSkew',
    `this machine's clock is ${minutes} minute(s) ${clock.skewMs > 0 ? 'ahead of' : 'behind'} ${storageName}'s; collection measures ages on the storage's clock and refuses to run while the two disagree by more than ${MAX_CLOCK_SKEW_MS / 60_000} minutes. Set this machine's clock (NTP) and run gc again; nothing was changed`,
  );
}
