import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const pkg = (p: string) => fileURLToPath(new URL(`./packages/${p}`, import.meta.url));

// Tests import packages by their public names; resolve those to sources so a test never runs
// against a stale build. (The CLI's black-box tests run the built binary instead.)
export const alias = [
  { find: /^@syncacross\/([a-z0-9-]+)\/([a-z-]+)$/, replacement: pkg('$1/src/$2/index.ts') },
  { find: /^@syncacross\/([a-z0-9-]+)$/, replacement: pkg('$1/src/index.ts') },
];

export default defineConfig({
  resolve: { alias },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/*.interop.test.ts', '**/*.sim-campaign.test.ts'],
    // Every test and hook is bounded, so a hang is a failure that names its test, never a stuck
    // CI; a worker whose memory runs away (a decoding loop, a leak) crashes at 3 GiB instead of
    // taking the machine with it.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    teardownTimeout: 30_000,
    pool: 'forks',
    // Vitest's default is one worker per core but one, which is a single worker on the 2-core
    // machines CI runs on: the suite ran file after file while most tests wait on child processes,
    // servers and Retry-After. Two workers there halve the run; each test's bounds hold with a
    // neighbour on the other core (the suite is also run beside a simulation campaign).
    maxWorkers: Math.max(2, availableParallelism() - 1),
    execArgv: ['--max-old-space-size=3072'],
  },
});
