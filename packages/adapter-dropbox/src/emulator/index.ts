/** The Dropbox API v2 emulator, exported on `@syncacross/adapter-dropbox/emulator`. */
export { DropboxEmulator, HOME_NAMESPACE_ID, TEAM_NAMESPACE_ID } from './emulator.js';
export type { DropboxEmulatorOptions } from './emulator.js';
export type { AppRegistration } from './oauth.js';
export type { FaultKind, FaultRule, IssuedFault } from './faults.js';
export { tagChain, summaryOf } from './errors.js';

import { DropboxEmulator, type DropboxEmulatorOptions } from './emulator.js';

export function createDropboxEmulator(options?: DropboxEmulatorOptions): DropboxEmulator {
  return new DropboxEmulator(options);
}
