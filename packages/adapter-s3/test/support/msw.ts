/** The S3 emulator behind msw, at a host name that does not exist: nothing leaves the process. */
import { http, type HttpHandler } from 'msw';
import { setupServer, type SetupServer } from 'msw/node';
import { createS3Emulator, type S3Emulator, type S3EmulatorOptions } from '../../src/emulator/index.js';
import { ACCESS_KEY, BUCKET, adapterOptions } from './emulator.js';

export const MSW_ENDPOINT = 'http://s3.emulator.test';

export interface MockedS3 {
  emulator: S3Emulator;
  server: SetupServer;
  /** Handlers that answer before the emulator (for malformed answers). */
  use(...handlers: HttpHandler[]): void;
}

export function mockS3(options: S3EmulatorOptions = {}): MockedS3 {
  const emulator = createS3Emulator({ buckets: [BUCKET], accessKeyId: ACCESS_KEY, ...options });
  const server = setupServer(http.all(/^http:\/\/s3\.emulator\.test\//, ({ request }) => emulator.handle(request)));
  return { emulator, server, use: (...h) => server.use(...h) };
}

export const mswOptions = adapterOptions.bind(null, MSW_ENDPOINT);
