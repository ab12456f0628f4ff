/** Every wrapper implements the same contract, so every wrapper passes the same suite. */
import { TokenBucket, withBandwidthLimit, withCounting, withRetry, withTracing } from '@syncacross/sync-core';
import { createDuplicateNameStorage, createMemoryStorage, runStorageConformance, withChangeFeed, withCheckThenWrite, withEventualConsistency, withFaults } from '@syncacross/sync-core/testing';

const unreachable = () => withFaults(createMemoryStorage(), { down: true });
const fastRetry = { baseDelayMs: 1, maxDelayMs: 5, retries: 30 };

runStorageConformance('withRetry over throttling and pre-write failures', async () => ({
  storage: withRetry(withFaults(createMemoryStorage(), { failBefore: 0.2, rateLimit: 0.1, retryAfterMs: 1 }), fastRetry),
  // Retrying an unreachable backend must still end in Unavailable, not hang or answer "empty".
  unreachable: () => withRetry(unreachable(), { ...fastRetry, retries: 2 }),
}));

runStorageConformance('withCounting', async () => ({ storage: withCounting(createMemoryStorage()), unreachable }));

// The change feed passes through every wrapper the engine puts around a storage (the suite's
// changeFeed check is skipped for a storage without one, so this run is what proves it is kept).
runStorageConformance('a change feed through withTracing, withBandwidthLimit, withRetry and withCounting', async () => {
  const bucket = () => new TokenBucket({ bytesPerSecond: 1024 ** 3 });
  const fed = withChangeFeed(createMemoryStorage(), 'wait');
  const storage = withCounting(
    withRetry(
      withBandwidthLimit(
        withTracing(fed, () => undefined),
        { up: bucket(), down: bucket() },
      ),
      fastRetry,
    ),
  );
  if (storage.changeFeed === undefined) throw new Error('a wrapper dropped the change feed');
  return { storage, unreachable };
});

runStorageConformance('withBandwidthLimit (a limit too high to slow the suite down)', async () => {
  const bucket = () => new TokenBucket({ bytesPerSecond: 1024 ** 3 });
  return { storage: withBandwidthLimit(createMemoryStorage(), { up: bucket(), down: bucket() }), unreachable };
});
runStorageConformance('withTracing', async () => ({ storage: withTracing(createMemoryStorage(), () => undefined), unreachable: () => withTracing(unreachable(), () => undefined) }));

runStorageConformance('withFaults: latency and short listing pages', async () => ({
  storage: withFaults(createMemoryStorage(), { latencyMs: 2, shortPages: 3 }),
  unreachable,
}));

runStorageConformance('withEventualConsistency: delayed listing', async () => ({
  storage: withEventualConsistency(createMemoryStorage(), { listDelayMs: 50 }),
  unreachable,
}));

runStorageConformance('withCheckThenWrite (declares atomic create unsupported)', async () => ({
  storage: withCheckThenWrite(createMemoryStorage()),
  unreachable,
}));

runStorageConformance('duplicate names (Drive-like)', async () => ({ storage: createDuplicateNameStorage(), unreachable }));
