import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/emulator/index.ts', 'src/emulator/main.ts'],
  format: ['esm'],
  dts: { entry: ['src/index.ts', 'src/emulator/index.ts'] },
  sourcemap: true,
  clean: true,
  target: 'node20',
});
