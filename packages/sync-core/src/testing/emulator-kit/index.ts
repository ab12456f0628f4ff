// Pieces every adapter's emulator tests use. Vitest-free and msw-free: this is re-exported from
// `@syncacross/sync-core/testing`, which third-party adapter authors load too.
export { closedPort, closedPortUrl, freePort } from './ports.js';
export { EmulatorsByHost, EmulatorSwitch, type HandlesRequests } from './emulator-routing.js';
