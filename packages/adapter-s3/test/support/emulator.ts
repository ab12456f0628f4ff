/** Starts the S3 emulator on a loopback port and builds adapter options that point at it. */
import { serveFetchHandler, type RunningServer } from '@syncacross/sync-core/testing';
import { createS3Emulator, type S3Emulator, type S3EmulatorOptions } from '../../src/emulator/index.js';
import type { S3AdapterOptions } from '../../src/index.js';

export const ACCESS_KEY = 'AKIAEMULATOR';
export const BUCKET = 'test-bucket';

export interface RunningEmulator {
  emulator: S3Emulator;
  server: RunningServer;
  options(extra?: Partial<S3AdapterOptions>): S3AdapterOptions;
  close(): Promise<void>;
}

/**
 * The emulator is AWS unless a test names another provider (the profile sets checksums and
 * paging); it speaks path style only.
 */
export function adapterOptions(endpoint: string, extra: Partial<S3AdapterOptions> = {}): S3AdapterOptions {
  return { bucket: BUCKET, endpoint, region: 'us-east-1', accessKeyId: ACCESS_KEY, secretAccessKey: 'emulator-secret', provider: 'aws', forcePathStyle: true, ...extra };
}

export async function startEmulator(options: S3EmulatorOptions = {}): Promise<RunningEmulator> {
  const emulator = createS3Emulator({ buckets: [BUCKET], accessKeyId: ACCESS_KEY, ...options });
  const server = await serveFetchHandler((r) => emulator.handle(r));
  return { emulator, server, options: (extra) => adapterOptions(server.url, extra), close: () => server.close() };
}
