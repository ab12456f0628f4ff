import { defineConfig } from 'tsup';

// bin.ts starts with `#!/usr/bin/env node`; esbuild keeps that line at the top of dist/bin.js.
export default defineConfig({
  entry: ['src/index.ts', 'src/bin.ts'],
  format: ['esm'],
  dts: { entry: 'src/index.ts' },
  sourcemap: true,
  clean: true,
  target: 'node20',
});
