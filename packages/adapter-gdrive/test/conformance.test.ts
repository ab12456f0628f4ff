/**
 * The shared conformance suite through the official SDK (googleapis) against the Drive emulator,
 * in every mode that makes Drive hard.
 */
import { afterAll, beforeAll } from 'vitest';
import { withRetry } from '@syncacross/sync-core';
import { runStorageConformance } from '@syncacross/sync-core/testing';
import { mswServer, newEmulator, storageOn, unreachableStorage } from './support/emulator.js';

beforeAll(() => mswServer.listen({ onUnhandledRequest: 'bypass' }));
afterAll(() => mswServer.close());

runStorageConformance('gdrive (emulator, folder by name)', async () => {
  const { emulator, rootUrl } = newEmulator();
  return { storage: await storageOn(emulator, rootUrl), unreachable: unreachableStorage };
});

runStorageConformance(
  'gdrive (emulator, appDataFolder, 300 ms search lag)',
  async () => {
    const { emulator, rootUrl } = newEmulator({ searchLagMs: 300 });
    return { storage: await storageOn(emulator, rootUrl, { appDataFolder: true }), unreachable: unreachableStorage };
  },
  { largeObjectBytes: 6 * 1024 * 1024 },
);

runStorageConformance(
  'gdrive (emulator, folder id, every create leaves a duplicate)',
  async () => {
    const { emulator, rootUrl } = newEmulator({ copiesPerCreate: 2 });
    const folder = emulator.store.create({ name: 'library', mimeType: 'application/vnd.google-apps.folder' });
    return { storage: await storageOn(emulator, rootUrl, { folderId: folder.id }), unreachable: unreachableStorage };
  },
  { largeObjectBytes: 6 * 1024 * 1024 },
);

runStorageConformance(
  'gdrive (emulator, write quota 4 per 20 ms + injected 429/503, behind withRetry)',
  async () => {
    const { emulator, rootUrl } = newEmulator({ writeQuota: { writes: 4, windowMs: 20 } });
    // On files and uploads only: withRetry passes the change feed through unretried (sync-core's
    // forwardAll: the watch handles a feed's failures), so a fault there would fail the feed check
    // for a reason that is not the adapter's. change-feed.test.ts checks the feed's own 429.
    emulator.inject({ error: '429', times: 3, retryAfterSeconds: 0, pathIncludes: '/drive/v3/files' });
    emulator.inject({ error: '503', times: 2, methods: ['GET'], pathIncludes: '/drive/v3/files' });
    emulator.inject({ error: 'rateLimitExceeded', times: 2, methods: ['POST'] });
    const storage = withRetry(await storageOn(emulator, rootUrl), { baseDelayMs: 1, maxDelayMs: 50, retries: 30 });
    return { storage, unreachable: unreachableStorage };
  },
  { largeObjectBytes: 6 * 1024 * 1024 },
);
