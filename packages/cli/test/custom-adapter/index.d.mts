// Types for tests that import the adapter directly (the adapter itself is plain JavaScript).
import type { AdapterModule } from '@syncacross/sync-core';

declare const adapter: AdapterModule<{ dir: string; token?: string; quotaBytes?: number; delayMs: number; createDir: boolean }>;
export default adapter;
