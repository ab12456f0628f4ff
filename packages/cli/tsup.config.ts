import { fileURLToPath } from 'node:url';
import { defineConfig } from 'tsup';
import { writeThirdPartyLicenses } from '../../scripts/third-party-licenses.mjs';

const bundled = ['commander', '@bomb.sh/tab'];

// bin.ts starts with `#!/usr/bin/env node`; esbuild keeps that line at the top of dist/bin.js.
export default defineConfig({
  entry: ['src/index.ts', 'src/bin.ts'],
  format: ['esm'],
  dts: { entry: 'src/index.ts' },
  sourcemap: true,
  clean: true,
  target: 'node20',
  // commander in this build, as sync-core bundles ignore (see its tsup.config.ts): it is CommonJS,
  // which Node 20 lexes before an ES module may import it, at every command's start. @bomb.sh/tab
  // too: three modules of its own to resolve and load apart. Bundled CommonJS still calls require()
  // for Node's own modules (events, fs, child_process); an ES module has none, so the banner makes
  // one (evanw/esbuild#1921).
  noExternal: bundled,
  // Their licences go with the build (dist/THIRD_PARTY_LICENSES.md), as they ask.
  onSuccess: async () => writeThirdPartyLicenses(bundled, fileURLToPath(new URL('.', import.meta.url))),
  banner: { js: "import { createRequire as createRequireForBundledCommonJs } from 'node:module'; const require = createRequireForBundledCommonJs(import.meta.url);" },
});
