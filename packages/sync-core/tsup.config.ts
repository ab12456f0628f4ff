import { fileURLToPath } from 'node:url';
import { defineConfig } from 'tsup';
import { writeThirdPartyLicenses } from '../../scripts/third-party-licenses.mjs';

// zod's every locale, reached through `z.locales` and `z.core.locales`, was a third of this build
// (364 KB of 1.1 MB), parsed and compiled by every command; its messages are English (its default)
// either way. Only `en` is kept: see src/zod-locales.ts, and the test in cli's package-shape.test.ts.
const englishOnly = fileURLToPath(new URL('./src/zod-locales.ts', import.meta.url));
const bundled = ['zod', 'ignore'];

export default defineConfig({
  entry: ['src/index.ts', 'src/testing/index.ts', 'src/http/index.ts', 'src/adapter-kit/index.ts', 'src/emulator-kit/index.ts'],
  format: ['esm'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  // zod in this build, re-exported as `z` (src/index.ts): one file instead of about a hundred,
  // about 90 ms less for every command to start (session 42).
  // ignore too: it is CommonJS, and Node 20 runs its CommonJS lexer over the package's 50 KB
  // before an ES module may import it; here esbuild wraps it once, at build time. A no-op sync of
  // the benchmark library, Node 20, medians of 24 alternating runs (session 50): 481 ms against
  // 505 (CPU 550 ms against 640); with the CLI's bundle of commander too, 456 (and 475 against
  // 544 in a second series).
  noExternal: bundled,
  // Their licences go with the build (dist/THIRD_PARTY_LICENSES.md), as they ask.
  onSuccess: async () => writeThirdPartyLicenses(bundled, fileURLToPath(new URL('.', import.meta.url))),
  esbuildPlugins: [
    {
      name: 'zod-english-only',
      setup(build) {
        build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) => (/[\\/]zod[\\/]v4[\\/](classic|core)[\\/]/.test(args.importer) ? { path: englishOnly } : undefined));
      },
    },
  ],
});
