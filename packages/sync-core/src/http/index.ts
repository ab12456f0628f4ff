/** @module @syncacross/sync-core/http */
// Vitest-free: emulators' command-line entry points import this at run time.
export { serveFetchHandler } from './serve-fetch-handler.js';
export type { FetchHandler, RunningServer } from './serve-fetch-handler.js';
export { parseEmulatorArgs, type EmulatorCommand } from './emulator-args.js';
