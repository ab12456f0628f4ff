/**
 * A sync with nothing new costs one request (docs/PROTOCOL.md §3.10): in a repository that
 * collects, a round lists `checkpoints/` as well as `log/` only when something may have happened
 * there that concerns it. Everything a checkpoint tells a reader concerns segments: ones collected
 * (gone from `log/`) or written (new in `log/`). So when `log/` lists exactly what it listed last
 * round, the checkpoints it already read say all there is, and the listing is spared. It is made
 * anyway at the first round after the library is opened (a node restored from a backup or cloned
 * is a new process: it must see the checkpoints that tell it another copy of it wrote, §7 step 2)
 * and at least hourly.
 */
import { createHash } from 'node:crypto';
import type { ListedSegment } from '../ingest.js';

/** How long a round may go on trusting an unchanged `log/` listing, by this machine's clock. */
const LIST_AT_LEAST_EVERY_MS = 3_600_000;

interface LastLook {
  digest: string;
  at: number;
}

/** Per open library (its state object): what `log/` listed when `checkpoints/` was last listed. Not durable on purpose: see above. */
const lastLooks = new WeakMap<object, LastLook>();

const digestOf = (listing: ListedSegment[]) =>
  createHash('sha256')
    .update(
      listing
        .map((k) => k.key)
        .sort()
        .join('\n'),
    )
    .digest('hex');

/**
 * Whether this round may spare listing `checkpoints/`: `log/` lists what it listed when this open
 * library last completed a round that listed them, within the hour. An empty `log/` (all of it
 * collected) spares it too, but then nothing in the listing shows the remote is still ours (a
 * wiped one lists nothing either): the round checks that before its first write
 * (storage/wrappers/write-gate.ts), and a round with nothing to write notices a wipe within the hour.
 */
export function checkpointsUnchanged(library: object, listing: ListedSegment[], now: number): boolean {
  const last = lastLooks.get(library);
  return last !== undefined && last.digest === digestOf(listing) && now - last.at >= 0 && now - last.at < LIST_AT_LEAST_EVERY_MS;
}

/** After a round that listed `checkpoints/` and read what it had to: the `log/` listing it went with. */
export function rememberCheckpointLook(library: object, listing: ListedSegment[], now: number): void {
  lastLooks.set(library, { digest: digestOf(listing), at: now });
}
