#!/usr/bin/env node
// Bundles the simulation's command line (TypeScript) with esbuild and runs it with plain node:
// long campaigns run without a test runner's overhead. Arguments pass through.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = `${root}node_modules/.cache/syncacross-sim/cli.mjs`;
mkdirSync(`${root}node_modules/.cache/syncacross-sim`, { recursive: true });
await build({
  entryPoints: [`${root}test/sim/cli.ts`],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outfile: out,
  // vitest: reached through /testing (its conformance suite), never called by the simulation.
  external: ['better-sqlite3', 'vitest'],
  alias: {
    '@syncacross/sync-core/testing': `${root}packages/sync-core/src/testing/index.ts`,
    '@syncacross/sync-core': `${root}packages/sync-core/src/index.ts`,
  },
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  logLevel: 'warning',
});
const r = spawnSync(process.execPath, [out, ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(r.status ?? 1);
