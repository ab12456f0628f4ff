/**
 * Holds every write back until a check has passed. A round that spared the repository check (an
 * empty `log/` that lists as it did last round: engine/collection/quiet-rounds.ts) makes it here,
 * before the first thing it would write, so a wiped or switched remote still gets nothing from it,
 * while a sync with nothing to write costs its one listing.
 */
import type { Storage } from '../contract.js';

const WRITES = new Set<PropertyKey>(['putIfAbsent', 'putIfMatch', 'delete']);

/**
 * `inner` with its writes gated on `check`, run once (a failing check fails that write and every
 * later one). Everything else is `inner`'s own, extra members (counts, stats) included.
 */
export function gateWrites<S extends Storage>(inner: S, check: () => Promise<void>): S {
  let passed: Promise<void> | undefined;
  return new Proxy(inner, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (!WRITES.has(prop) || typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        await (passed ??= check());
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}
