/** Test wiring: the emulator behind msw (on Dropbox's real hosts) or on a loopback HTTP port. */
import { http } from 'msw';
import { setupServer } from 'msw/node';
import { createDropboxEmulator, type DropboxEmulator, type DropboxEmulatorOptions } from '../../src/emulator/index.js';
import { EmulatorSwitch, serveFetchHandler, type RunningServer } from '@syncacross/sync-core/testing';

/** Hosts the SDK talks to: Dropbox's own, and the SDK's test-domain hosts for `emulator.test`. */
const DROPBOX_HOSTS = /^https:\/\/(api|content|notify)\.dropboxapi\.com\/|^https:\/\/www\.dropbox\.com\/|^https:\/\/[a-z-]+-emulator\.test\//;

export interface MswEmulator {
  /** The emulator currently answering; `reset()` replaces it with a fresh one. */
  readonly emulator: DropboxEmulator;
  reset(options?: DropboxEmulatorOptions): DropboxEmulator;
  server: ReturnType<typeof setupServer>;
}

export function mswEmulator(): MswEmulator {
  const emulators = new EmulatorSwitch(createDropboxEmulator());
  const server = setupServer(http.all(DROPBOX_HOSTS, ({ request }) => emulators.handle(request)));
  return {
    get emulator() {
      return emulators.emulator;
    },
    reset: (options) => emulators.use(createDropboxEmulator(options)),
    server,
  };
}

export async function httpEmulator(options?: DropboxEmulatorOptions): Promise<{ emulator: DropboxEmulator; server: RunningServer }> {
  const emulator = createDropboxEmulator(options);
  return { emulator, server: await serveFetchHandler(emulator.handle) };
}
