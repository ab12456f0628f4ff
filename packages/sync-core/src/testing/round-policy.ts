/**
 * For the simulation only: open a library whose round takes its risky decisions from a given
 * policy, so a deliberately broken engine can be run and the checker shown to catch it.
 */
export { openLibraryWithPolicy } from '../engine/open-library.js';
export { HONEST_POLICY, type RoundPolicy } from '../engine/round-policy.js';
