/** Test wiring: the emulator behind msw (on Dropbox's real hosts) or on a loopback HTTP port. */
import { createServer } from 'node:net';
import { http } from 'msw';
import { setupServer } from 'msw/node';
import { createDropboxEmulator, type DropboxEmulator, type DropboxEmulatorOptions } from '../../src/emulator/index.js';
import { serveFetchHandler, type RunningServer } from '@syncacross/sync-core/testing';

/** Hosts the SDK talks to: Dropbox's own, and the SDK's test-domain hosts for `emulator.test`. */
const DROPBOX_HOSTS = /^https:\/\/(api|content|notify)\.dropboxapi\.com\/|^https:\/\/www\.dropbox\.com\/|^https:\/\/[a-z-]+-emulator\.test\//;

export interface MswEmulator {
  /** The emulator currently answering; `reset()` replaces it with a fresh one. */
  readonly emulator: DropboxEmulator;
  reset(options?: DropboxEmulatorOptions): DropboxEmulator;
  server: ReturnType<typeof setupServer>;
}

export function mswEmulator(): MswEmulator {
  let current = createDropboxEmulator();
  const server = setupServer(http.all(DROPBOX_HOSTS, ({ request }) => current.handle(request)));
  return {
    get emulator() {
      return current;
    },
    reset(options) {
      current = createDropboxEmulator(options);
      return current;
    },
    server,
  };
}

export async function httpEmulator(options?: DropboxEmulatorOptions): Promise<{ emulator: DropboxEmulator; server: RunningServer }> {
  const emulator = createDropboxEmulator(options);
  return { emulator, server: await serveFetchHandler(emulator.handle) };
}

/** A loopback port nothing listens on: connections are refused at once. */
export async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}
