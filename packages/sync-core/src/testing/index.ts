/**
 * `@syncacross/sync-core/testing`: for tests only, never for production code. The conformance
 * suite every adapter runs (it needs vitest, an optional peer dependency), the in-memory reference
 * store and stores that misbehave on purpose, and helpers for emulators and waiting on events.
 *
 * @module @syncacross/sync-core/testing
 */

// The conformance suite: under vitest, or framework-free to prove it catches broken doubles.
export { runStorageConformance } from './conformance.js';
export { checkStorageConformance, conformanceChecks, defaultConformanceOptions } from './conformance-checks.js';
export type { ConformanceCheck, ConformanceFixture, ConformanceOptions, ConformanceResult } from './conformance-checks.js';

// Test doubles: the reference store the engine's tests use, and wrappers that distort a store.
export { createMemoryStorage, type MemoryStorage, type MemoryStorageOptions } from './doubles/memory.js';
export { withFaults, type FaultPlan, type FaultyStorage } from './doubles/faults.js';
export { withEventualConsistency, type EventualOptions } from './doubles/eventual.js';
export { withIgnoredPreconditions, withCheckThenWrite } from './doubles/racy.js';
export { createDuplicateNameStorage } from './doubles/duplicates.js';
export { withChangeFeed, type StorageWithFeed } from './doubles/change-feed.js';
export {
  answerEndlessly,
  endlessByteAt,
  endlessBytes,
  forwardTo,
  GIVES_UP,
  startHostileServer,
  writeEndless,
  type EndlessAnswer,
  type HostileAnswer,
  type HostileHandler,
  type HostileServer,
} from './doubles/endless-body.js';
export { expectClosedAfter, runHostileDownloadChecks, SOCKET_SLACK, type EndlessError, type HostileDownloadSetup } from './hostile-downloads.js';

// Helpers for tests: serving an emulator over HTTP, waiting for an event instead of a delay.
export { serveFetchHandler } from '../http/serve-fetch-handler.js';
export type { FetchHandler, RunningServer } from '../http/serve-fetch-handler.js';
export { waitFor, type WaitForOptions } from './wait-for.js';
export * from '../emulator-kit/index.js';
export { HONEST_POLICY, openLibraryWithPolicy, type RoundPolicy } from './round-policy.js';
// Forgets every registered secret, so one test's secrets do not mask another's output.
export { clearRegisteredSecrets } from '../secrets/index.js';
