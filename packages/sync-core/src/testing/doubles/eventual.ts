/**
 * Backends whose listings lag behind writes (Drive name queries, some S3-compatible stores, a
 * cloud-drive mount that has not synced yet) and whose reads can be stale.
 *
 * - delayed listing visibility: a created key is readable at once but listed only `listDelayMs`
 *   later (by the wrapper's clock);
 * - stale reads: for `staleReadMs` after a create, `get` may answer NotFound (with probability
 *   `staleReadProbability`), and after a putIfMatch it may return the previous bytes.
 */
import type { Storage, StorageCapabilities } from '../../storage/contract.js';
import { StorageError } from '../../storage/errors.js';
import { forwardAll } from '../../storage/wrappers/forward.js';

/** How far `withEventualConsistency` lags; with none given, it behaves like the inner store. */
export interface EventualOptions {
  /** How long a created key stays out of listings, in ms (default 0). Over 0, the wrapper declares `consistentListing: false`. */
  listDelayMs?: number;
  /** How long after a create (or a putIfMatch) reads may be stale, in ms (default 0). */
  staleReadMs?: number;
  /** The chance that a read in that window is stale (default 0.5). */
  staleReadProbability?: number;
  /** The wrapper's clock, in ms (default `Date.now`); simulations pass a virtual one. */
  now?: () => number;
  /** A number in [0, 1) deciding each stale read (default `Math.random`). */
  random?: () => number;
}

/** Wraps a storage so new keys are listed late and reads right after a write may be stale (see above). */
export function withEventualConsistency(inner: Storage, options: EventualOptions = {}): Storage {
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const listDelay = options.listDelayMs ?? 0;
  const staleMs = options.staleReadMs ?? 0;
  const staleP = options.staleReadProbability ?? 0.5;
  const createdAt = new Map<string, number>();
  const previous = new Map<string, { bytes: Uint8Array; until: number }>();
  const caps: StorageCapabilities = { ...inner.capabilities, consistentListing: listDelay === 0 && inner.capabilities.consistentListing };

  return forwardAll(inner, {
    name: `eventual(${inner.name})`,
    capabilities: caps,
    putIfAbsent: async (key, bytes) => {
      const r = await inner.putIfAbsent(key, bytes);
      if (r === 'created') createdAt.set(key, now());
      return r;
    },
    get: async (key, o) => {
      const t = createdAt.get(key);
      if (t !== undefined && now() - t < staleMs && random() < staleP) {
        throw new StorageError('NotFound', `eventual: ${key} not yet visible to reads`);
      }
      const old = previous.get(key);
      if (old && now() < old.until && random() < staleP) {
        const r = o?.range;
        return r ? old.bytes.subarray(r.offset, r.offset + r.length) : old.bytes;
      }
      return inner.get(key, o);
    },
    list: async (prefix, o) => {
      const page = await inner.list(prefix, o);
      if (listDelay === 0) return page;
      const t = now();
      return { ...page, objects: page.objects.filter((obj) => t - (createdAt.get(obj.key) ?? -Infinity) >= listDelay) };
    },
    putIfMatch:
      inner.putIfMatch &&
      (async (key, bytes, etag) => {
        let before: Uint8Array | undefined;
        try {
          before = await inner.get(key);
        } catch {
          before = undefined;
        }
        const r = await inner.putIfMatch!(key, bytes, etag);
        if (before) previous.set(key, { bytes: before, until: now() + staleMs });
        return r;
      }),
  });
}
