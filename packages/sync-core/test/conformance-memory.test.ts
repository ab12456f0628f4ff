import { createMemoryStorage, withFaults } from '@syncacross/sync-core';
import { runStorageConformance } from '@syncacross/sync-core/testing';

const unreachable = () => withFaults(createMemoryStorage(), { down: true });

runStorageConformance('memory (reference adapter)', async () => ({ storage: createMemoryStorage(), unreachable }));
