import { createMemoryStorage, runStorageConformance, withFaults } from '@syncacross/sync-core/testing';

const unreachable = () => withFaults(createMemoryStorage(), { down: true });

runStorageConformance('memory (reference adapter)', async () => ({ storage: createMemoryStorage(), unreachable }));
