/** The storage each simulation mode runs over: the in-memory reference adapter, distorted. */
import { listAll, StorageError, type Storage } from '@syncacross/sync-core';
import { createDuplicateNameStorage } from '../../packages/sync-core/src/testing/doubles/duplicates.js';
import { createMemoryStorage } from '../../packages/sync-core/src/testing/doubles/memory.js';
import { withCheckThenWrite, withIgnoredPreconditions } from '../../packages/sync-core/src/testing/doubles/racy.js';
import { withEventualConsistency } from '../../packages/sync-core/src/testing/doubles/eventual.js';
import { withFaults } from '../../packages/sync-core/src/testing/doubles/faults.js';
import { withHostileWriter } from './hostile-writer.js';
import type { Rng } from './rng.js';

export const MODES = [
  'atomic',
  'check-then-write',
  'preconditions-ignored',
  'duplicate-names',
  'delayed-listing',
  'stale-reads',
  'unknown-outcomes',
  'rate-limited',
  'lossy-listing',
  'torn-reads',
  'hostile-writer',
] as const;
export type Mode = (typeof MODES)[number];

export interface SimStorage {
  storage: Storage;
  /** Everything stored, for the invariant checks (bypasses the distortions). */
  raw(): Map<string, Uint8Array>;
  /** Faults the gate injects per request in this mode. */
  faults: { failBefore: number; failAfter: number };
  /** Turn distortions off for the final, quiet rounds. */
  calm(): void;
  /** The whole store, to roll back to later (a bucket or NAS restored from an older copy). */
  save(): unknown;
  restore(saved: unknown): void;
  /** When the storage stamped each object it holds (its own clock), undistorted. */
  stamps(): Promise<Map<string, number>>;
}

async function stampsOf(storage: Storage): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const o of await listAll(storage, '')) if (o.modified) out.set(o.key, o.modified.getTime());
  return out;
}

export function makeStorage(mode: Mode, rng: Rng, clock: () => number): SimStorage {
  const random = () => rng.next();
  const memory = createMemoryStorage({ now: clock });
  const raw = () => memory.debug.snapshot();
  const quiet = { failBefore: 0, failAfter: 0 };
  let calm = false;
  const rollback = { save: () => memory.debug.snapshot(), restore: (s: unknown) => memory.debug.restore(s as Map<string, Uint8Array>) };
  const sim = (x: Omit<SimStorage, 'save' | 'restore' | 'stamps'>): SimStorage => ({ ...rollback, stamps: () => stampsOf(memory), ...x });
  switch (mode) {
    case 'atomic':
      return sim({ storage: memory, raw, faults: quiet, calm() {} });
    case 'check-then-write':
      return sim({ storage: withCheckThenWrite(memory), raw, faults: quiet, calm() {} });
    case 'preconditions-ignored':
      return sim({ storage: withIgnoredPreconditions(memory), raw, faults: quiet, calm() {} });
    case 'duplicate-names': {
      const d = createDuplicateNameStorage({ random, now: clock });
      return { storage: d, raw: () => d.snapshot(), faults: quiet, calm() {}, save: () => d.debug.save(), restore: (x) => d.debug.restore(x), stamps: () => stampsOf(d) };
    }
    case 'delayed-listing':
      return sim({ storage: withEventualConsistency(memory, { listDelayMs: 5_000, now: clock, random }), raw, faults: quiet, calm() {} });
    case 'stale-reads':
      return sim({ storage: withEventualConsistency(memory, { staleReadMs: 5_000, staleReadProbability: 0.3, now: clock, random }), raw, faults: quiet, calm() {} });
    case 'unknown-outcomes':
      return sim({ storage: memory, raw, faults: { failBefore: 0.05, failAfter: 0.05 }, calm() {} });
    case 'rate-limited': {
      const f = withFaults(memory, { rateLimit: 0.15, retryAfterMs: 0 }, random, async () => {});
      return sim({ storage: f, raw, faults: quiet, calm: () => void (f.plan = {}) });
    }
    case 'lossy-listing': {
      // A server that silently drops entries from listings (the R2/WebDAV incidents): nothing may be deleted for it.
      const lossy: Storage = {
        ...memory,
        name: 'lossy-listing',
        list: async (prefix, o) => {
          const page = await memory.list(prefix, o);
          return calm ? page : { ...page, objects: page.objects.filter(() => !(rng.next() < 0.3)) };
        },
      };
      return sim({ storage: lossy, raw, faults: quiet, calm: () => void (calm = true) });
    }
    case 'hostile-writer': {
      const { storage, hostile } = withHostileWriter(memory, rng, () => calm);
      const honest = () => new Map([...raw()].filter(([k]) => !hostile.has(k)));
      return sim({ storage, raw: honest, faults: quiet, calm: () => void (calm = true) });
    }
    case 'torn-reads': {
      // A mounted share (davfs2, rclone mount) or a store that writes in place: for a minute after
      // a write, the name is listed but a read may return only a prefix of the content, or
      // nothing at all. Hash-named objects must be retried, never condemned for it.
      const written = new Map<string, number>();
      const torn: Storage = {
        ...memory,
        name: 'torn-reads',
        putIfAbsent: async (key, bytes) => {
          const r = await memory.putIfAbsent(key, bytes);
          if (r === 'created') written.set(key, clock());
          return r;
        },
        get: async (key, o) => {
          const at = written.get(key);
          if (calm || at === undefined || clock() - at >= 60_000 || rng.next() >= 0.3) return memory.get(key, o);
          if (rng.next() < 0.3) throw new StorageError('NotFound', `torn-reads: ${key} not readable yet`);
          const whole = await memory.get(key);
          const cut = whole.subarray(0, Math.floor(whole.byteLength * rng.next()));
          return Uint8Array.from(o?.range ? cut.subarray(o.range.offset, o.range.offset + o.range.length) : cut);
        },
      };
      return sim({ storage: torn, raw, faults: quiet, calm: () => void (calm = true) });
    }
  }
}
