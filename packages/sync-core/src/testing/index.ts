export { runStorageConformance } from './conformance.js';
export { checkStorageConformance, conformanceChecks, defaultConformanceOptions } from './conformance-checks.js';
export type { ConformanceCheck, ConformanceFixture, ConformanceOptions, ConformanceResult } from './conformance-checks.js';
export { serveFetchHandler } from '../http/serve-fetch-handler.js';
export type { FetchHandler, RunningServer } from '../http/serve-fetch-handler.js';
export { waitFor, type WaitForOptions } from './wait-for.js';
export * from './emulator-kit/index.js';
export { HONEST_POLICY, openLibraryWithPolicy, type RoundPolicy } from './round-policy.js';
