/**
 * `runStorageConformance(name, setup)`: registers the conformance checks as vitest tests.
 * Adapter authors call it from a test file:
 *
 *   import { runStorageConformance } from '@syncacross/sync-core/testing';
 *   runStorageConformance('my-adapter', async () => ({ storage, unreachable, teardown }));
 */
import { describe, it } from 'vitest';
import { conformanceChecks, defaultConformanceOptions, type ConformanceFixture, type ConformanceOptions } from './conformance-checks.js';

/** Registers one vitest test per conformance check, in a `describe` named after the adapter; `setup` makes a fresh fixture for each. */
export function runStorageConformance(name: string, setup: () => Promise<ConformanceFixture>, options?: ConformanceOptions): void {
  const o = defaultConformanceOptions(options);
  describe(`storage conformance: ${name}`, () => {
    for (const check of conformanceChecks) {
      it(
        check.name,
        async () => {
          const fixture = await setup();
          try {
            await check.run(fixture, o);
          } finally {
            await fixture.teardown?.();
          }
        },
        o.timeoutMs,
      );
    }
  });
}
