/**
 * Test harness: the emulator behind msw on a made-up https host (the Graph SDK and msal both use
 * global fetch, which msw intercepts), or behind a real loopback server.
 */
import { http } from 'msw';
import { setupServer, type SetupServer } from 'msw/node';
import { EmulatorSwitch, serveFetchHandler, type RunningServer } from '@syncacross/sync-core/testing';
import { createOneDriveEmulator, type OneDriveEmulator, type OneDriveEmulatorOptions } from '../../src/emulator/index.js';

export const EMULATOR_ORIGIN = 'https://graph.emulator.test';
export const GRAPH_BASE = `${EMULATOR_ORIGIN}/v1.0`;
export const TOKEN = 'test-token';

let server: SetupServer | undefined;
const emulators = new EmulatorSwitch<OneDriveEmulator>();

/** Starts msw once per file; each call swaps in a fresh emulator. */
export function mswEmulator(options: OneDriveEmulatorOptions = {}): OneDriveEmulator {
  const emulator = emulators.use(createOneDriveEmulator({ tokens: [TOKEN], ...options }));
  if (!server) {
    server = setupServer(http.all(/^https:\/\/graph\.emulator\.test\//, ({ request }) => emulators.handle(request)));
    server.listen({ onUnhandledRequest: 'bypass' });
  }
  return emulator;
}

export function stopMsw(): void {
  server?.close();
  server = undefined;
}

export async function localEmulator(options: OneDriveEmulatorOptions = {}): Promise<{ emulator: OneDriveEmulator; server: RunningServer; graphBase: string }> {
  const emulator = createOneDriveEmulator({ tokens: [TOKEN], ...options });
  const running = await serveFetchHandler((r) => emulator.handle(r));
  return { emulator, server: running, graphBase: `${running.url}/v1.0` };
}

/** A storage on a port nothing listens on: every request fails at the network level (the conformance suite's `unreachable`). */
export const unreachable = async () => {
  const { createOneDriveStorage } = await import('../../src/index.js');
  return createOneDriveStorage({ baseUrl: 'http://127.0.0.1:9/v1.0', accessToken: TOKEN, atomicCreate: 'trust' });
};
