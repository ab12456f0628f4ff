/** @module @syncacross/sync-core/emulator-kit */
// `@syncacross/sync-core/emulator-kit`: what every vendor emulator shares, at run time. Vitest-free
// and msw-free, because the emulators ship on each adapter's `/emulator` subpath and run as
// servers (`npx syncacross-emulator-…`) where no test framework is installed. `/testing`
// re-exports it for tests.
export { closedPort, closedPortUrl, freePort } from './ports.js';
export { EmulatorsByHost, EmulatorSwitch, type HandlesRequests } from './emulator-routing.js';
export { FaultRules, seededRandom, type FaultRuleBase, type InjectedFault } from './fault-rules.js';
export { OAuthGrants, isLoopbackRedirect, pkceMatches, type CodeRedemption, type OAuthGrant, type OAuthGrantsOptions, type PendingAuthorization } from './oauth-grants.js';
