/**
 * The storage conformance checks as plain async functions, so they can run under vitest
 * (`runStorageConformance`) or programmatically (`checkStorageConformance`, which is how we prove
 * the suite catches a broken adapter). Each check reads the declared capabilities to decide what
 * to assert; a capability that is not declared is checked to be absent, never silently skipped.
 * The checks themselves live in ./conformance/, one file per concern.
 */
import { describeError } from './conformance/assertions.js';
import { notFoundVersusUnreachable } from './conformance/failures.js';
import { defaultConformanceOptions, type ConformanceCheck, type ConformanceFixture, type ConformanceOptions, type ConformanceResult } from './conformance/fixture.js';
import { hostileKeys } from './conformance/hostile-keys.js';
import { neverPartial } from './conformance/in-flight.js';
import { consistentListing, exactPrefixes, listsWithoutEtags, pagesAndStartAfter } from './conformance/listing.js';
import { byteRanges, callerMayReuseBytes, createsOnce, declaresCapabilities, racingCreates, readsInto, roundTrips, unicodeKeys } from './conformance/objects.js';
import { changeFeed, compareAndSwap, idempotentDelete } from './conformance/optional-operations.js';

export { defaultConformanceOptions };
export type { ConformanceCheck, ConformanceFixture, ConformanceOptions, ConformanceResult };

/** Every check of the storage contract, in the order the suite runs them. */
export const conformanceChecks: ConformanceCheck[] = [
  declaresCapabilities,
  roundTrips,
  callerMayReuseBytes,
  unicodeKeys,
  exactPrefixes,
  pagesAndStartAfter,
  listsWithoutEtags,
  notFoundVersusUnreachable,
  createsOnce,
  racingCreates,
  neverPartial,
  byteRanges,
  readsInto,
  idempotentDelete,
  compareAndSwap,
  changeFeed,
  consistentListing,
  hostileKeys,
];

/** Runs every check outside any test framework; returns one result per check. */
export async function checkStorageConformance(setup: () => Promise<ConformanceFixture>, options?: ConformanceOptions): Promise<ConformanceResult[]> {
  const o = defaultConformanceOptions(options);
  const results: ConformanceResult[] = [];
  for (const check of conformanceChecks) {
    const fixture = await setup();
    try {
      await check.run(fixture, o);
      results.push({ name: check.name, ok: true });
    } catch (e) {
      results.push({ name: check.name, ok: false, error: describeError(e) });
    } finally {
      await fixture.teardown?.();
    }
  }
  return results;
}
