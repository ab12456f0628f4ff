// Pieces every adapter's emulator tests use. Vitest-free and msw-free: this is re-exported from
// `@syncacross/sync-core/testing`, which third-party adapter authors load too.
//
// Not here yet, though each emulator has its own copy: the OAuth/PKCE token server (dropbox,
// gdrive, onedrive) and fault rules (dropbox, s3, gdrive, onedrive's throttler). Those run inside
// the emulators the adapters ship on their `/emulator` subpath, and `/testing` cannot be a run-time
// import there: it loads vitest (conformance.ts), an optional peer dependency. Sharing them needs
// a vitest-free subpath first (`/http` is one).
export { closedPort, closedPortUrl, freePort } from './ports.js';
export { EmulatorsByHost, EmulatorSwitch, type HandlesRequests } from './emulator-routing.js';
