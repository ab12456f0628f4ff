/**
 * The shared conformance suite through googleapis against the Drive emulator with each
 * real-world mode on (src/emulator/real-world.ts): Drive as users meet it, not only as documented.
 */
import { afterAll, beforeAll } from 'vitest';
import { runStorageConformance } from '@syncacross/sync-core/testing';
import type { DriveEmulatorOptions } from '../src/emulator/index.js';
import { mswServer, newEmulator, storageOn, unreachableStorage } from './support/emulator.js';

beforeAll(() => mswServer.listen({ onUnhandledRequest: 'bypass' }));
afterAll(() => mswServer.close());

// Four suites, not one per mode, to keep the file near a minute: OR 'all' is in the last one.
const MODES: [string, DriveEmulatorOptions][] = [
  ["OR-of-parents searches answer only the first parent's children", { orOfParentsDrops: 'some' }],
  ["name = '…' ignores case", { caseInsensitiveNameQueries: true }],
  ['a shared-drive content manager (no permanent delete), folders of at most 25 items', { contentManager: true, maxChildrenPerFolder: 25 }],
  [
    'every real-world mode at once (OR-of-parents searches answer nothing), 200 ms search lag',
    { orOfParentsDrops: 'all', caseInsensitiveNameQueries: true, contentManager: true, maxChildrenPerFolder: 25, searchLagMs: 200 },
  ],
];

for (const [label, options] of MODES) {
  runStorageConformance(`gdrive (emulator, real world: ${label})`, async () => {
    const { emulator, rootUrl } = newEmulator(options);
    return { storage: await storageOn(emulator, rootUrl), unreachable: unreachableStorage };
  });
}
