import { defineConfig } from 'vitest/config';
import { alias } from './vitest.config.js';

// Tests against servers installed from Debian packages (Apache, nginx, rclone, FUSE):
// `.ci/run` installs them, then runs `npm run test:interop`.
export default defineConfig({
  resolve: { alias },
  test: {
    include: ['packages/*/test/**/*.interop.test.ts', 'test/**/*.interop.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
