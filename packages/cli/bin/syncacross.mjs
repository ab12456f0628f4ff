#!/usr/bin/env node
// The `syncacross` command. npm links a package's bin only if the file exists when it installs,
// and dist/ is built after that in a checkout (by the root `prepare` script), so the link points
// at this file, which is always there, and this file runs the build.
import { existsSync } from 'node:fs';

const built = new URL('../dist/bin.js', import.meta.url);
if (!existsSync(built)) {
  process.stderr.write('syncacross: packages/cli/dist is not built; run `npm run build` in the repository\n');
  process.exit(1);
}
await import(built.href);
