/**
 * A GetObject takes from the body what it asked for and no more (src/object-io.ts, through
 * sync-core's readBodyWithin and readLimit): against a real server on loopback standing in for an
 * S3-compatible store that ignores the Range, claims a length past it, or sends a body with no end
 * (sync-core's runHostileDownloadChecks). Before, the SDK's `transformToByteArray` gathered such a
 * body whole, and its error deserializer an error's body (client.ts bounds it now).
 */
import { afterAll, beforeAll } from 'vitest';
import { runHostileDownloadChecks, startHostileServer, type HostileServer } from '@syncacross/sync-core/testing';
import { createS3Storage } from '../src/index.js';
import { adapterOptions } from './support/emulator.js';

let server: HostileServer;
beforeAll(async () => {
  server = await startHostileServer();
});
afterAll(() => server.close());

runHostileDownloadChecks('s3', {
  server: () => server,
  storage: () => createS3Storage(adapterOptions(server.url, { provider: 'other', conditionalWrites: 'off', maxAttempts: 1 })),
  headers: { ETag: '"e"' },
  endlessError: { status: 500, code: 'Unavailable' },
});
