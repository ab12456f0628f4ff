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

const MODES: [string, DriveEmulatorOptions][] = [
  ["OR-of-parents searches answer only the first parent's children", { orOfParentsDrops: 'some' }],
  ['OR-of-parents searches answer nothing', { orOfParentsDrops: 'all' }],
  ["name = '…' ignores case", { caseInsensitiveNameQueries: true }],
  ['a shared-drive content manager (no permanent delete)', { contentManager: true }],
  ['a folder holds at most 25 items (Drive: 500,000)', { maxChildrenPerFolder: 25 }],
  ['every real-world mode at once, 200 ms search lag', { orOfParentsDrops: 'some', caseInsensitiveNameQueries: true, contentManager: true, maxChildrenPerFolder: 500_000, searchLagMs: 200 }],
];

for (const [label, options] of MODES) {
  runStorageConformance(`gdrive (emulator, real world: ${label})`, async () => {
    const { emulator, rootUrl } = newEmulator(options);
    return { storage: await storageOn(emulator, rootUrl), unreachable: unreachableStorage };
  });
}
